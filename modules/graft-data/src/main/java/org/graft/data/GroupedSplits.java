package org.graft.data;

import org.graft.common.BadDataException;
import org.graft.common.BadOptionException;
import org.graft.common.GraftException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.graft.data.Split.checkFraction;
import static org.graft.data.Split.validationTarget;

/**
 * The arithmetic of splits that keep groups whole (pages, volumes, characters): a stratified train/validation split
 * found greedily and then improved by moving and swapping groups, and stratified K-fold cross-validation.
 * {@link Split} is the result and its manifest; this is how one is found.
 */
final class GroupedSplits {
    private static final Logger log = LoggerFactory.getLogger(GroupedSplits.class);

    private GroupedSplits() {
    }

    /**
     * Splits one folder keeping each group whole on one side. Per class, validation gets as close as the groups
     * allow to the {@link Split#stratified(ImageFolder, double, long) plain split}'s count; no class loses its last
     * training image; validation gets at least one group whenever one can go without breaking that rule.
     *
     * <p>Greedy, over the groups in a seeded order: a group goes to validation when that brings the per-class
     * counts closer to the targets; then single groups are moved, and pairs swapped, while that brings them closer
     * still. With {@link Grouping#none()} this is exactly the plain split.
     *
     * @throws GraftException when no group can go to validation (e.g. the grouping puts everything in one group)
     */
    static Split stratified(ImageFolder folder, double validationFraction, long seed, Grouping grouping) {
        if (grouping == null || grouping.isNone()) {
            // identical to the plain split, manifest included
            return Split.stratified(folder, validationFraction, seed);
        }
        checkFraction(validationFraction);
        Groups gs = Groups.of(folder, grouping);
        List<Group> order = new ArrayList<>(gs.groups);
        Collections.shuffle(order, new Random(seed));
        int classes = gs.labels.size();
        int[] target = new int[classes];
        for (int c = 0; c < classes; c++) {
            target[c] = validationTarget(gs.totals[c], validationFraction);
        }
        int[] inVal = new int[classes];
        Set<Group> val = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Group g : order) {
            if (fits(inVal, gs.totals, null, g) && costChange(inVal, target, gs.totals, null, g) < -EPSILON) {
                add(inVal, g.counts, 1);
                val.add(g);
            }
        }
        improve(order, val, inVal, target, gs.totals);
        if (val.isEmpty()) {
            // every group overshoots the targets: a too-large validation set beats none at all
            Group smallest = order.stream().filter(g -> fits(inVal, gs.totals, null, g))
                    .min(Comparator.comparingInt(g -> g.entries.size())).orElse(null); // first of the smallest
            if (smallest == null) {
                throw new BadDataException(gs.groups.size() == 1
                        ? "All " + folder.images().size() + " images are in one group ('" + gs.groups.get(0).name
                        + "', grouping by " + grouping.describe() + "), so no validation set can be kept apart."
                        : "No group can go to validation without taking all the training images of a class ("
                        + gs.groups.size() + " groups, grouping by " + grouping.describe() + ").",
                        "Check the grouping: it should put each page, volume or character in its own group, and"
                                + " every class needs images in at least two groups.");
            }
            add(inVal, smallest.counts, 1);
            val.add(smallest);
            log.warn("Every group is large for a {} validation fraction; validation holds the one group '{}' ({} of {}"
                    + " images).", validationFraction, smallest.name, smallest.entries.size(), folder.images().size());
        }
        List<String> unvalidated = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            if (target[c] > 0 && inVal[c] == 0) {
                unvalidated.add(gs.labels.get(c));
            }
        }
        if (!unvalidated.isEmpty()) {
            log.warn("No validation images for {}: their groups could not go to validation without leaving the class"
                    + " with no training image, or overshooting. Their accuracy will not be measured.", unvalidated);
        }
        List<ImageEntry> train = new ArrayList<>();
        List<ImageEntry> validation = new ArrayList<>();
        for (Group g : gs.groups) {
            (val.contains(g) ? validation : train).addAll(g.entries);
        }
        return new Split(ImageFolder.of(folder.root(), folder.labels(), train),
                ImageFolder.of(folder.root(), folder.labels(), validation), grouping);
    }

    /**
     * K-fold cross-validation: k splits in which every image, whole group by whole group, is in validation exactly
     * once. Folds are stratified: groups, largest first (ties in a seeded order), each go to the fold that holds
     * the least of the group's classes so far relative to the class sizes; a group never takes the last of a
     * class's images into one fold (that fold would train without the class).
     *
     * @throws GraftException when k is below 2 or above the number of groups, or when a class has all its images
     *                        in a single group (or a single image): the fold that validates on it could not train on it
     */
    static List<Split> folds(ImageFolder folder, int k, long seed, Grouping grouping) {
        Grouping grp = grouping == null ? Grouping.none() : grouping;
        if (k < 2) {
            throw new BadOptionException("Cross-validation needs at least 2 folds, got " + k + ".",
                    "Use e.g. --folds 5.");
        }
        Groups gs = Groups.of(folder, grp);
        String units = grp.isNone() ? "images" : "groups (grouping by " + grp.describe() + ")";
        if (k > gs.groups.size()) {
            throw new BadDataException("Cannot make " + k + " folds from " + gs.groups.size() + " " + units
                    + ": every fold needs at least one.",
                    "Use --folds " + gs.groups.size() + " or fewer" + (grp.isNone() ? "." : ", or a finer grouping."));
        }
        int classes = gs.labels.size();
        int[] groupsPerClass = new int[classes];
        for (Group g : gs.groups) {
            for (int c : g.classes) {
                groupsPerClass[c]++;
            }
        }
        List<String> single = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            if (gs.totals[c] > 0 && groupsPerClass[c] < 2) {
                single.add(gs.labels.get(c));
            }
        }
        if (!single.isEmpty()) {
            throw new BadDataException("Class(es) " + single + (grp.isNone() ? " have only one image each"
                    : " have all their images in one group each") + "; the fold that validates on it would have none"
                    + " of the class to train on.",
                    grp.isNone() ? "Add images to these classes (at least two each), or leave them out."
                            : "Add images from other groups to these classes, group more finely, or leave them out.");
        }

        List<Group> order = new ArrayList<>(gs.groups);
        Collections.shuffle(order, new Random(seed));
        order.sort(Comparator.comparingInt((Group g) -> g.entries.size()).reversed()); // stable: ties stay seeded
        int[][] load = new int[k][classes];
        int[] size = new int[k];
        List<List<Group>> members = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            members.add(new ArrayList<>());
        }
        int emptyFolds = k;
        for (int i = 0; i < order.size(); i++) {
            Group g = order.get(i);
            boolean mustFillEmpty = order.size() - i <= emptyFolds; // otherwise some fold would stay empty
            int best = -1;
            boolean bestKeeps = false;
            double bestScore = 0;
            for (int f = 0; f < k; f++) {
                if (mustFillEmpty && size[f] > 0) {
                    continue;
                }
                boolean keeps = fits(load[f], gs.totals, null, g);
                // how much of the group's classes the fold already holds, weighted by the group's make-up
                double score = 0;
                for (int c : g.classes) {
                    score += g.counts[c] * (double) load[f][c] / gs.totals[c];
                }
                boolean better = best < 0 || (keeps && !bestKeeps)
                        || (keeps == bestKeeps && (score < bestScore || (score == bestScore && size[f] < size[best])));
                if (better) {
                    best = f;
                    bestKeeps = keeps;
                    bestScore = score;
                }
            }
            if (size[best] == 0) {
                emptyFolds--;
            }
            add(load[best], g.counts, 1);
            size[best] += g.entries.size();
            members.get(best).add(g);
        }

        List<Split> out = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            List<ImageEntry> train = new ArrayList<>();
            List<ImageEntry> validation = new ArrayList<>();
            for (int other = 0; other < k; other++) {
                for (Group g : members.get(other)) {
                    (other == f ? validation : train).addAll(g.entries);
                }
            }
            List<String> missing = new ArrayList<>();
            for (int c = 0; c < classes; c++) {
                if (gs.totals[c] > 0 && load[f][c] == gs.totals[c]) {
                    missing.add(gs.labels.get(c));
                }
            }
            if (!missing.isEmpty()) {
                // only when groups mixing several classes leave no other choice
                log.warn("Fold {} of {} has no training images of {}: all their groups fell into its validation set.",
                        f + 1, k, missing);
            }
            out.add(new Split(ImageFolder.of(folder.root(), folder.labels(), train),
                    ImageFolder.of(folder.root(), folder.labels(), validation), grp));
        }
        return out;
    }

    /**
     * One group of images: its per-class counts (indexed as {@link Groups#labels}) and the classes it holds (a
     * group usually holds few of many classes, so the split's arithmetic visits only those).
     */
    private record Group(String name, List<ImageEntry> entries, int[] counts, int[] classes) {
        Group(String name, List<ImageEntry> entries, int[] counts) {
            this(name, entries, counts, java.util.stream.IntStream.range(0, counts.length)
                    .filter(c -> counts[c] > 0).toArray());
        }
    }

    /** A folder's images by group, in an order that depends only on the data (the seed shuffles it later). */
    private record Groups(List<Group> groups, List<String> labels, int[] totals) {
        static Groups of(ImageFolder folder, Grouping grouping) {
            List<String> labels = new ArrayList<>(folder.labels());
            Map<String, Integer> index = new HashMap<>();
            for (ImageEntry e : folder.images()) {
                if (!labels.contains(e.label())) {
                    labels.add(e.label()); // a folder built by hand may list fewer labels than its images have
                }
            }
            for (int i = 0; i < labels.size(); i++) {
                index.put(labels.get(i), i);
            }
            Map<String, List<ImageEntry>> byKey = new TreeMap<>();
            for (ImageEntry e : folder.images()) {
                byKey.computeIfAbsent(grouping.key(folder.root(), e), x -> new ArrayList<>()).add(e);
            }
            int[] totals = new int[labels.size()];
            List<Group> groups = new ArrayList<>();
            for (List<ImageEntry> entries : byKey.values()) {
                int[] counts = new int[labels.size()];
                for (ImageEntry e : entries) {
                    counts[index.get(e.label())]++;
                    totals[index.get(e.label())]++;
                }
                groups.add(new Group(grouping.groupOf(folder.root(), entries.get(0)), entries, counts));
            }
            return new Groups(groups, labels, totals);
        }
    }

    /** Below this a change in cost is rounding, not an improvement (so that the search always ends). */
    private static final double EPSILON = 1e-9;

    /**
     * The greedy pass takes groups that help some class early, even when they overshoot another. Mends that by
     * moving single groups in or out of validation, then by swapping one in for one out, while that lowers the cost
     * (so it ends; the caps bound the work on very many groups).
     */
    private static void improve(List<Group> order, Set<Group> val, int[] inVal, int[] target, int[] totals) {
        for (int pass = 0; pass < 50; pass++) {
            boolean moved = false;
            for (Group g : order) {
                boolean in = val.contains(g);
                Group out = in ? g : null;
                Group add = in ? null : g;
                if (fits(inVal, totals, out, add) && costChange(inVal, target, totals, out, add) < -EPSILON) {
                    add(inVal, g.counts, in ? -1 : 1);
                    if (in) {
                        val.remove(g);
                    } else {
                        val.add(g);
                    }
                    moved = true;
                }
            }
            if (!moved && (long) val.size() * (order.size() - val.size()) <= 20_000_000L) {
                for (Group out : order.stream().filter(val::contains).toList()) {
                    Group best = null;
                    double bestChange = -EPSILON;
                    for (Group in : order) {
                        if (!val.contains(in) && fits(inVal, totals, out, in)) {
                            double change = costChange(inVal, target, totals, out, in);
                            if (change < bestChange) {
                                best = in;
                                bestChange = change;
                            }
                        }
                    }
                    if (best != null) {
                        add(inVal, out.counts, -1);
                        add(inVal, best.counts, 1);
                        val.remove(out);
                        val.add(best);
                        moved = true;
                    }
                }
            }
            if (!moved) {
                return;
            }
        }
    }

    /**
     * How the cost changes when {@code out} (may be null) leaves the validation counts and {@code in} (may be
     * null) joins them. The cost is each class's squared miss of its target divided by the class size, so that a
     * small class's miss weighs as much as a proportionally equal miss of a large one. Only the classes the two
     * groups hold are visited.
     */
    private static double costChange(int[] inVal, int[] target, int[] totals, Group out, Group in) {
        double change = 0;
        if (out != null) {
            for (int c : out.classes) {
                change += classCostChange(inVal[c] - target[c], (in == null ? 0 : in.counts[c]) - out.counts[c],
                        totals[c]);
            }
        }
        if (in != null) {
            for (int c : in.classes) {
                if (out == null || out.counts[c] == 0) {
                    change += classCostChange(inVal[c] - target[c], in.counts[c], totals[c]);
                }
            }
        }
        return change;
    }

    private static double classCostChange(int miss, int delta, int total) {
        double after = miss + delta;
        return (after * after - (double) miss * miss) / Math.max(1, total);
    }

    /**
     * Whether, after {@code out} (may be null) leaves these counts and {@code in} (may be null) joins them, every
     * class of {@code in} still has an image outside them (a class must keep a training image).
     */
    private static boolean fits(int[] taken, int[] totals, Group out, Group in) {
        if (in == null) {
            return true;
        }
        for (int c : in.classes) {
            if (taken[c] - (out == null ? 0 : out.counts[c]) + in.counts[c] >= totals[c]) {
                return false;
            }
        }
        return true;
    }

    private static void add(int[] into, int[] counts, int sign) {
        for (int c = 0; c < into.length; c++) {
            into[c] += sign * counts[c];
        }
    }
}
