package org.graft.model.run;

import org.graft.common.BadOptionException;
import org.graft.common.EnvironmentException;
import org.graft.common.Json;
import org.graft.common.Versions;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A command's hold on a run folder while it writes it. The folder must be Graft's — its ownership marker
 * ({@value RunFolder#MARKER}) says so, or Graft makes it now — and no other Graft may write it at the same time: an
 * exclusive lock ({@value RunFolder#LOCK}, naming its holder's process) refuses a second writer. A finished run is
 * replaced only when asked ({@link Intent#OVERWRITE}); a folder Graft did not make is never written into unless
 * asked. A run that fails before it has written anything of its own can be {@link #abandon abandoned}: a folder made
 * by this claim is removed again.
 */
public final class RunClaim implements AutoCloseable {
    /** What the command means to do with the folder. */
    public enum Intent {
        /** A new run: the folder must not exist, be empty, or (for the same kind of run) be its own earlier one. */
        NEW_RUN,
        /** A new run that may replace an earlier one in the folder (--overwrite). */
        OVERWRITE,
        /** Continue the run the folder holds (--resume). */
        RESUME,
        /** Add to a run the folder holds (an evaluation, a report). */
        UPDATE
    }

    private final RunFolder run;
    private final boolean createdNow;
    private final FileChannel channel;
    private final FileLock lock;

    private RunClaim(RunFolder run, boolean createdNow, FileChannel channel, FileLock lock) {
        this.run = run;
        this.createdNow = createdNow;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Claims {@code run} for {@code intent}, by the command {@code by} (e.g. "train", "demo"), recorded in the
     * marker: checks, creates and marks the folder where needed, and takes its lock. Overwriting a Graft run removes
     * its optional files at once (augmentation samples, evaluations, UI statistics: they belong to the old model);
     * its model, history and checkpoint stay until the new run replaces them, so a new run that fails early leaves
     * the old one usable.
     */
    public static RunClaim claim(RunFolder run, Intent intent, String by) {
        Path dir = run.dir();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadOptionException(dir + " is a file, not a run folder.", "Give --out a folder name.");
        }
        boolean exists = Files.isDirectory(dir);
        if (!exists && (intent == Intent.RESUME || intent == Intent.UPDATE)) {
            throw notARun(dir);
        }
        // an existing folder is locked before it is judged: another Graft at work there is the first thing to say
        boolean ours = exists && isGraftRun(run);
        boolean empty = !exists || isEmpty(dir);
        if (!exists) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new EnvironmentException("Cannot create the run folder " + dir + ": " + e.getMessage(),
                        "Check the path and its permissions, or choose another --out.", e);
            }
        } else if (!ours && !empty && intent != Intent.OVERWRITE) {
            throw intent == Intent.NEW_RUN ? foreign(dir) : notARun(dir);
        }
        RunClaim claim = lock(run, !exists);
        try {
            check(run, intent, ours);
            if (intent == Intent.OVERWRITE && ours) {
                claim.removeOptionalFiles();
            }
            if (!ours || intent == Intent.NEW_RUN || intent == Intent.OVERWRITE) {
                Json.write(run.file(RunFolder.MARKER), Map.of("madeBy", by, "graft", Versions.current()
                        .getOrDefault("graft", "?"), "createdAt", Instant.now().toString()));
            }
            return claim;
        } catch (RuntimeException e) {
            claim.close();
            throw e;
        }
    }

    private static void check(RunFolder run, Intent intent, boolean ours) {
        Path dir = run.dir();
        switch (intent) {
            case RESUME, UPDATE -> {
                if (!ours) {
                    throw notARun(dir);
                }
            }
            case NEW_RUN -> {
                if (ours) {
                    throw new BadOptionException(dir + " already holds a " + (run.has(RunFolder.MODEL) ? "finished"
                            : "started") + " run.", "Continue it with 'graft train --resume " + dir + "', replace "
                            + "it with --overwrite, or choose another --out.");
                }
            }
            case OVERWRITE -> {
                // allowed to replace Graft's files of an earlier run, and to write into a folder Graft did not make
            }
            default -> throw new IllegalStateException(intent.name());
        }
    }

    private static BadOptionException notARun(Path dir) {
        return new BadOptionException(dir + " is not a run folder made by 'graft train'.",
                "Give the --out folder of an earlier 'graft train' (e.g. runs/mine).");
    }

    private static BadOptionException foreign(Path dir) {
        return new BadOptionException(dir + " is a folder Graft did not make, and it is not empty; Graft does not "
                + "write into it.", "Choose a new --out folder (or an empty one), or add --overwrite to write "
                + "into this one anyway.");
    }

    /** Whether the folder is a Graft run: its marker, or (runs made before markers) Graft's own files. */
    static boolean isGraftRun(RunFolder run) {
        return run.has(RunFolder.MARKER) || run.has(RunFolder.RECIPE)
                || (run.has(RunFolder.MODEL) && run.has(RunFolder.SPLIT)) || run.has(RunFolder.FOLDS);
    }

    /** The command that made a run folder ("train" for runs made before markers). */
    static String madeBy(RunFolder run) {
        if (!run.has(RunFolder.MARKER)) {
            return "train";
        }
        try {
            return Json.mapper().readTree(run.file(RunFolder.MARKER).toFile()).path("madeBy").asText("train");
        } catch (IOException e) {
            return "train";
        }
    }

    private static boolean isEmpty(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            throw new EnvironmentException("Cannot read the folder " + dir + ": " + e.getMessage(),
                    "Check its permissions.", e);
        }
    }

    private static RunClaim lock(RunFolder run, boolean createdNow) {
        Path file = run.file(RunFolder.LOCK);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).trim();
                channel.close();
                throw new EnvironmentException(run.dir() + " is being written by another Graft"
                        + (holder.isEmpty() ? "" : " (" + holder + ")") + ".",
                        "Wait for it to finish, or choose another --out.");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("process " + ManagementFactory.getRuntimeMXBean().getName()
                    + ", since " + Instant.now()).getBytes(StandardCharsets.UTF_8)));
            return new RunClaim(run, createdNow, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new EnvironmentException("Cannot lock the run folder " + run.dir() + ": " + e.getMessage(),
                    "Check that the folder is writable (and not full).", e);
        }
    }

    private void removeOptionalFiles() {
        for (String name : new String[]{RunFolder.AUGMENTATION, RunFolder.EVALUATIONS, RunFolder.UI_STATS,
                RunFolder.NEAR_DUPLICATES}) {
            Path p = run.file(name);
            if (Files.exists(p)) {
                try (Stream<Path> all = Files.walk(p)) {
                    all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException e) {
                    throw new EnvironmentException("Cannot remove " + p + " of the run being replaced: "
                            + e.getMessage(), "Check the folder's permissions.", e);
                }
            }
        }
    }

    public RunFolder folder() {
        return run;
    }

    /** Whether this claim made the folder (it did not exist before). */
    public boolean createdNow() {
        return createdNow;
    }

    /**
     * After a failure before anything was trained: removes the folder again if this claim made it (all it holds
     * is then Graft's), so that a run that could not start leaves nothing behind.
     */
    public void abandon() {
        close();
        if (!createdNow) {
            return;
        }
        try (Stream<Path> all = Files.walk(run.dir())) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // what cannot be removed stays; the failure itself is what the user needs to hear about
        }
    }

    /** Releases the lock. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // the lock goes with the channel
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing more to release
            }
        }
    }
}
