package org.graft.train;

import org.graft.common.BadDataException;
import org.graft.common.BadOptionException;
import org.graft.data.Grouping;
import org.graft.data.IgnoredFile;
import org.graft.data.ImageFolder;
import org.graft.data.NearDuplicates;
import org.graft.data.SkipLog;
import org.graft.data.Split;
import org.graft.model.run.RunFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The first step of a run: scan the images, split them (a given split, a validation folder, or a seeded stratified
 * split that keeps groups whole), check that both sides can be used, write split.csv and labels.txt, and look for
 * near-duplicates across the split. Nothing is written until the data is known to be usable, so a mistake leaves
 * no run folder behind. A resumed run must find the same split it started with.
 */
record DataPreparation(Path trainData, Path validationData, Split givenSplit, Grouping grouping,
                       TrainingConfig config, boolean checkNearDuplicates, Listeners listeners) {
    DataPreparation {
        grouping = grouping == null ? Grouping.none() : grouping;
    }

    PreparedData prepare(RunFolder run, boolean resuming) throws IOException {
        SkipLog skipped = new SkipLog();
        List<IgnoredFile> ignored = new ArrayList<>();
        Split split = split(skipped, ignored);
        if (split.validation().images().isEmpty()) {
            throw new BadDataException("No validation images: every class has a single image.",
                    "Add images (at least two per class) or give a validation folder with --val.");
        }
        if (resuming && run.has(RunFolder.SPLIT)) {
            requireSameSplit(run, split);
        } else {
            run.writeSplit(split);
        }
        run.writeLabels(split.labels());
        List<NearDuplicates.Pair> pairs = checkNearDuplicates
                ? NearDuplicates.find(split.train().images(), split.validation().images(),
                NearDuplicates.DEFAULT_MAX_DISTANCE)
                : List.of();
        run.writeNearDuplicates(pairs);
        run.writeIgnored(ignored);
        PreparedData data = new PreparedData(split, split.labels(), skipped, pairs, grouping);
        listeners.tell(l -> l.onDataReady(data));
        if (!ignored.isEmpty()) {
            listeners.notice(TrainingListener.Notice.Kind.IGNORED, String.format(Locale.ROOT,
                    "Ignored %d file(s) and folder(s) that are not images (e.g. %s); see %s", ignored.size(),
                    ignored.get(0).path().getFileName(), RunFolder.IGNORED));
        }
        if (!pairs.isEmpty()) {
            long images = pairs.stream().map(NearDuplicates.Pair::validation).distinct().count();
            listeners.notice(TrainingListener.Notice.Kind.NEAR_DUPLICATES, String.format(Locale.ROOT,
                    "Warning: %d validation image(s) look like near-duplicates of training images (e.g. %s ~ %s); "
                            + "validation figures may be too good. See %s; keep related images together with "
                            + "--group-by.", images, pairs.get(0).validation().getFileName(),
                    pairs.get(0).training().getFileName(), RunFolder.NEAR_DUPLICATES));
        }
        return data;
    }

    /** The split: the one given (cross-validation folds), two folders, or the training folder split by seed. */
    private Split split(SkipLog skipped, List<IgnoredFile> ignored) {
        if (givenSplit != null) {
            return givenSplit;
        }
        ImageFolder folder = ImageFolder.scanForTraining(trainData);
        skipped.addAll(folder.skipped());
        ignored.addAll(folder.ignored());
        if (validationData != null) {
            refuseOverlap(trainData, validationData);
            ImageFolder val = ImageFolder.scan(validationData);
            skipped.addAll(val.skipped());
            ignored.addAll(val.ignored());
            return Split.given(folder, val);
        }
        if (!grouping.isNone()) {
            int unmatched = grouping.countUnmatched(folder.root(), folder.images());
            if (unmatched > 0) {
                listeners.notice(TrainingListener.Notice.Kind.UNMATCHED_GROUPS, String.format(Locale.ROOT,
                        "Note: %d of %d images matched no group of %s; each is a group of its own", unmatched,
                        folder.images().size(), grouping.describe()));
            }
        }
        return Split.stratified(folder, config.validationFraction(), config.seed(), grouping);
    }

    /** A run folder inside the images would become images of the next run (its augmentation samples, say). */
    static void refuseRunInsideData(Path runDir, Path... dataFolders) {
        Path out = runDir.toAbsolutePath().normalize();
        for (Path data : dataFolders) {
            if (data == null) {
                continue;
            }
            Path d = data.toAbsolutePath().normalize();
            if (out.startsWith(d) || d.startsWith(out)) {
                throw new BadOptionException("The run folder " + out + (out.equals(d) ? " is" : d.startsWith(out)
                        ? " holds" : " is inside") + " the data folder " + d + ".", "Write runs outside the images, "
                        + "e.g. --out runs/mine.");
            }
        }
    }

    /** Validation on the training images would report what the model memorised, not what it learnt. */
    private static void refuseOverlap(Path train, Path val) {
        Path t = real(train);
        Path v = real(val);
        if (t.equals(v) || t.startsWith(v) || v.startsWith(t)) {
            throw new BadOptionException("--val " + val + (t.equals(v) ? " is the training folder"
                    : " overlaps the training folder " + train) + ": validation would measure images the model "
                    + "trained on.", "Give a validation folder of other images, or leave --val out to split --data.");
        }
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    /** A resumed run goes on with the images it started with; a changed folder would silently change the run. */
    private static void requireSameSplit(RunFolder run, Split split) throws IOException {
        Path recorded = run.file(RunFolder.SPLIT);
        Path now = Files.createTempFile(run.dir(), ".split-", ".csv");
        try {
            split.writeManifest(now);
            if (Files.mismatch(recorded, now) != -1) {
                throw new BadOptionException("The images in the data folders have changed since " + run.dir()
                        + " started: its " + RunFolder.SPLIT + " no longer matches them.",
                        "Put the data back as it was to resume, or start a new run with another --out.");
            }
        } finally {
            Files.deleteIfExists(now);
        }
    }
}
