package org.graft.data;

import org.graft.common.BadDataException;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Recognises a data set that is already split (ROOT/train/&lt;class&gt;/..., ROOT/val/&lt;class&gt;/...) handed over as
 * one folder: scanned as it is, it would train the classes "train" and "val".
 */
final class PresplitLayout {
    private static final Set<String> TRAIN = Set.of("train", "training");
    /** In order of preference for the hint. */
    private static final List<String> HELD_OUT = List.of("val", "valid", "validation", "test", "testing");

    private PresplitLayout() {
    }

    /** Refuses the folder when its "classes" are a training part and a held-out part, each holding sub-folders. */
    static void refuse(ImageFolder folder) {
        String train = folder.labels().stream().filter(l -> TRAIN.contains(lower(l)) && nested(folder, l))
                .findFirst().orElse(null);
        String held = HELD_OUT.stream().flatMap(h -> folder.labels().stream().filter(l -> lower(l).equals(h)))
                .filter(l -> nested(folder, l)).findFirst().orElse(null);
        if (train == null || held == null) {
            return;
        }
        Path root = folder.root();
        throw new BadDataException(root + " looks like a data set that is already split: its folders '" + train
                + "' and '" + held + "' each hold class folders, so Graft would train the classes '" + train
                + "' and '" + held + "'.",
                "Give the two parts separately: --data " + root.resolve(train) + " --val " + root.resolve(held) + ".");
    }

    /** Whether every image of the label sits in a sub-folder of its folder (a class folder inside it). */
    private static boolean nested(ImageFolder folder, String label) {
        return folder.images().stream().filter(e -> e.label().equals(label))
                .allMatch(e -> folder.root().relativize(e.path()).getNameCount() >= 3);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
