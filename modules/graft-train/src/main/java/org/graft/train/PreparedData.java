package org.graft.train;

import org.graft.data.Grouping;
import org.graft.data.NearDuplicates;
import org.graft.data.SkipLog;
import org.graft.data.Split;

import java.util.List;

/**
 * The data of a run once scanned, split and checked: the split (written as split.csv), the classes in output order,
 * every file left out so far with its reason (the run adds those that fail to decode later), the validation images
 * that look like training images, and how images were grouped.
 */
public record PreparedData(Split split, List<String> labels, SkipLog skipped,
                           List<NearDuplicates.Pair> nearDuplicates, Grouping grouping) {
    public PreparedData {
        labels = List.copyOf(labels);
        nearDuplicates = List.copyOf(nearDuplicates);
    }
}
