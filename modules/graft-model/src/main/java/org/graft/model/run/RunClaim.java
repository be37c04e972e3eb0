package org.graft.model.run;

import org.graft.common.AtomicFiles;
import org.graft.common.BadOptionException;
import org.graft.common.EnvironmentException;
import org.graft.common.FileTrees;
import org.graft.common.Json;
import org.graft.common.Versions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A command's hold on a run folder while it writes it. The folder must be Graft's — its ownership marker
 * ({@value RunFolder#MARKER}) says so, or Graft makes it now — and no other Graft may write it at the same time: an
 * exclusive lock ({@value RunFolder#LOCK}, naming its holder's process) refuses a second writer. A finished run is
 * replaced only when asked ({@link Intent#OVERWRITE}); a folder Graft did not make is never written into unless
 * asked.
 *
 * <p>Overwriting sets the old run's files aside ({@value RunFolder#REPLACED}) rather than mixing them with the new
 * run's: a new run that fails before its first checkpoint is {@link #abandon abandoned} and the old run comes back
 * whole; one that {@link #finish finishes} drops it. Only names of Graft's layout are moved or removed, so a file a
 * user keeps in the folder stays where it is.
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

    /** AtomicFiles' ".NAME.UUID.part" and ModelBundle's ".dl4j-DIGITS.zip": names no user gives a file. */
    private static final Pattern TEMPORARY = Pattern.compile(
            "\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.part|\\.dl4j-[0-9]+\\.zip");

    private final RunFolder run;
    private final Intent intent;
    private final boolean createdFolder;
    private final boolean createdLockFile;
    private final FileChannel channel;
    private final FileLock lock;
    /** Whether the run the folder held is now in {@value RunFolder#REPLACED}, the folder's layout free for a new one. */
    private boolean setAside;

    private RunClaim(RunFolder run, Intent intent, boolean createdFolder, boolean createdLockFile, FileChannel channel,
                     FileLock lock) {
        this.run = run;
        this.intent = intent;
        this.createdFolder = createdFolder;
        this.createdLockFile = createdLockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Claims {@code run} for {@code intent}, by the command {@code by} (e.g. "train", "demo"), recorded in the
     * marker: creates the folder where needed, takes its lock, then checks the folder and marks it. Overwriting sets
     * the run there aside (see the class comment).
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
        if (!exists) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new EnvironmentException("Cannot create the run folder " + dir + ": " + e.getMessage(),
                        "Check the path and its permissions, or choose another --out.", e);
            }
        }
        // locked before it is judged: another Graft at work there is the first thing to say
        RunClaim claim = lock(run, intent, !exists);
        boolean ours;
        try {
            ours = isGraftRun(run);
            if (!ours && !isEmptyButForLock(dir) && intent != Intent.OVERWRITE) {
                throw intent == Intent.NEW_RUN ? foreign(dir) : notARun(dir);
            }
            check(run, intent, ours);
        } catch (RuntimeException e) {
            claim.release();
            throw e;
        }
        try {
            // no other Graft writes here now: what an earlier one left half-written is litter
            claim.removeTemporaryFiles();
            if (intent == Intent.OVERWRITE) {
                claim.setAside();
            }
            if (!ours || intent == Intent.NEW_RUN || intent == Intent.OVERWRITE) {
                Json.write(run.file(RunFolder.MARKER), Map.of("madeBy", by, "graft", Versions.current()
                        .getOrDefault("graft", "?"), "createdAt", Instant.now().toString()));
            }
            return claim;
        } catch (IOException e) {
            claim.abandon();
            throw new EnvironmentException((AtomicFiles.isDiskFull(e) ? "The disk is full while preparing the run "
                    + "folder " : "Cannot prepare the run folder ") + dir + ": " + e.getMessage(),
                    "Check the folder's permissions and free space; nothing of an earlier run was lost.", e);
        } catch (RuntimeException e) {
            claim.abandon();
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
                    // --resume needs the recipe; without one, the run can only be replaced
                    String resume = run.has(RunFolder.RECIPE) ? "Continue it with 'graft train --resume " + dir
                            + "', replace it with --overwrite, or choose another --out." : "Replace it with "
                            + "--overwrite, or choose another --out.";
                    throw new BadOptionException(dir + " already holds a " + (run.has(RunFolder.MODEL) ? "finished"
                            : "started") + " run" + (run.has(RunFolder.REPLACED) ? " (and, in " + RunFolder.REPLACED
                            + ", the run it was replacing)" : "") + ".", resume);
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

    private static boolean isEmptyButForLock(Path dir) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir,
                p -> !p.getFileName().toString().equals(RunFolder.LOCK))) {
            return !entries.iterator().hasNext();
        } catch (IOException e) {
            throw new EnvironmentException("Cannot read the folder " + dir + ": " + e.getMessage(),
                    "Check its permissions.", e);
        }
    }

    private static RunClaim lock(RunFolder run, Intent intent, boolean createdFolder) {
        Path file = run.file(RunFolder.LOCK);
        if (Files.isSymbolicLink(file) || Files.exists(file) && !Files.isRegularFile(file)) {
            // opening it would truncate whatever it points at
            throw new EnvironmentException(file + " is not a lock file Graft made (a link or a folder).",
                    "Remove it if no Graft is writing " + run.dir() + ", or choose another --out.");
        }
        boolean createdLockFile = !Files.exists(file);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException sameProcess) {
                lock = null;
            }
            if (lock != null && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                // locked a file that a Graft giving the folder up has just removed: that Graft still had it
                lock.release();
                lock = null;
            }
            if (lock == null) {
                String holder = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                        ? Files.readString(file, StandardCharsets.UTF_8).trim() : "";
                channel.close();
                throw new EnvironmentException(run.dir() + " is being written by another Graft"
                        + (holder.isEmpty() ? "" : " (" + holder + ")") + ".",
                        "Wait for it to finish, or choose another --out.");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("process " + ManagementFactory.getRuntimeMXBean().getName()
                    + ", since " + Instant.now()).getBytes(StandardCharsets.UTF_8)));
            return new RunClaim(run, intent, createdFolder, createdLockFile, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new EnvironmentException("Cannot lock the run folder " + run.dir() + ": " + e.getMessage(),
                    "Check that the folder is writable (and not full).", e);
        }
    }

    /**
     * Moves the run the folder holds (the names of Graft's layout) into {@value RunFolder#REPLACED}; a move that
     * fails puts back what was moved. If an earlier overwrite was cut off there, the run it set aside is the last
     * whole one: it stays, and what the cut-off run wrote goes.
     */
    private void setAside() throws IOException {
        Path aside = run.file(RunFolder.REPLACED);
        if (Files.isDirectory(aside, LinkOption.NOFOLLOW_LINKS)) {
            for (Path entry : layoutEntries()) {
                FileTrees.deleteIfExists(entry);
            }
        } else {
            Files.createDirectory(aside);
            try {
                for (Path entry : layoutEntries()) {
                    Files.move(entry, aside.resolve(entry.getFileName().toString()));
                }
            } catch (IOException e) {
                putBack(aside);
                throw e;
            }
        }
        setAside = true;
    }

    /** Moves what {@link #setAside} moved back into the folder, and removes the folder it was kept in. */
    private void putBack(Path aside) throws IOException {
        try (Stream<Path> kept = Files.list(aside)) {
            for (Path p : kept.toList()) {
                Files.move(p, run.file(p.getFileName().toString()));
            }
        }
        Files.delete(aside);
    }

    /** The top-level entries of the folder that are Graft's (its layout), the lock and what was set aside apart. */
    private List<Path> layoutEntries() throws IOException {
        try (Stream<Path> all = Files.list(run.dir())) {
            return all.filter(p -> RunFolder.isLayoutName(p.getFileName().toString())).sorted().toList();
        }
    }

    /** The temporary files of {@link org.graft.common.AtomicFiles} and of model saving that a killed run left. */
    private void removeTemporaryFiles() throws IOException {
        for (Path folder : List.of(run.dir(), run.file(RunFolder.CHECKPOINT).getParent())) {
            if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try (Stream<Path> all = Files.list(folder)) {
                for (Path p : all.toList()) {
                    String name = p.getFileName().toString();
                    if (TEMPORARY.matcher(name).matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        Files.delete(p);
                    }
                }
            }
        }
    }

    public RunFolder folder() {
        return run;
    }

    /** The new run is whole: the run it replaced (if any) is dropped. */
    public void finish() throws IOException {
        FileTrees.deleteIfExists(run.file(RunFolder.REPLACED));
    }

    /**
     * After a failure before anything was trained: removes what this run wrote (the names of Graft's layout) and
     * brings back the run it was replacing, then releases the folder (removing it if this claim made it); all while
     * the folder is still locked, the lock file last. A claim to resume or update a run undoes nothing: the run is
     * the user's result.
     */
    public void abandon() {
        if (intent == Intent.NEW_RUN || setAside) {
            try {
                for (Path entry : layoutEntries()) {
                    FileTrees.deleteIfExists(entry);
                }
                if (setAside) {
                    putBack(run.file(RunFolder.REPLACED));
                }
            } catch (IOException | UncheckedIOException e) {
                // what cannot be removed stays; the failure itself is what the user needs to hear about
            }
        }
        release();
    }

    /**
     * Releases the lock, removing the lock file (while still held, so that no other Graft locks a file about to go)
     * and the folder where this claim made them and left them empty.
     */
    private void release() {
        try {
            if (createdLockFile || createdFolder) {
                Files.deleteIfExists(run.file(RunFolder.LOCK));
            }
        } catch (IOException e) {
            // litter at worst; the caller's failure is the news
        }
        close();
        try {
            if (createdFolder && isEmptyButForLock(run.dir())) {
                Files.deleteIfExists(run.dir());
            }
        } catch (IOException | RuntimeException e) {
            // litter at worst
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
