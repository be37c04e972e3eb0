package org.graft.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the reliability checks tried and what happened, case by case, so that their summary line is counted from
 * outcomes rather than written down. A case is as documented or not; a crash is an exception other than Graft's
 * clear refusal; files are compared byte for byte before and after an interruption.
 */
final class ReliabilityLedger {
    /**
     * One input or interruption tried: its documented outcome, what really happened, and whether that is what the
     * documentation allows.
     */
    record Case(String check, String name, String documented, String actual, boolean asDocumented, boolean crash) {
    }

    private final List<Case> cases = new ArrayList<>();
    private int filesCompared;
    private int filesLost;

    /** A case whose outcome is as documented when it equals {@code documented}. */
    synchronized void record(String check, String name, String documented, String actual) {
        record(check, name, documented, actual, documented.equals(actual));
    }

    synchronized void record(String check, String name, String documented, String actual, boolean asDocumented) {
        cases.add(new Case(check, name, documented, actual, asDocumented, false));
    }

    /** A case that ended in an exception other than Graft's clear refusal. */
    synchronized void crash(String check, String name, String documented, Throwable what) {
        cases.add(new Case(check, name, documented, "crash: " + what, false, true));
    }

    /** A file that must survive an interruption unchanged, and whether it did. */
    synchronized void fileKept(boolean unchanged) {
        filesCompared++;
        filesLost += unchanged ? 0 : 1;
    }

    /** The cases of one check that did not go as documented (empty when all did). */
    synchronized List<Case> failures(String check) {
        return cases.stream().filter(c -> c.check().equals(check) && !c.asDocumented()).toList();
    }

    synchronized String summary() {
        Map<String, int[]> byCheck = new TreeMap<>();
        for (Case c : cases) {
            int[] n = byCheck.computeIfAbsent(c.check(), k -> new int[2]);
            n[0]++;
            n[1] += c.asDocumented() ? 1 : 0;
        }
        StringBuilder parts = new StringBuilder();
        byCheck.forEach((check, n) -> parts.append(parts.isEmpty() ? "" : ", ").append(check).append(' ')
                .append(n[1]).append('/').append(n[0]));
        long documented = cases.stream().filter(Case::asDocumented).count();
        long crashes = cases.stream().filter(Case::crash).count();
        return String.format(Locale.ROOT, "Reliability: %d cases tried, %d as documented, %d not (%d crashes) [%s];"
                        + " %d files compared after interruptions, %d lost or changed", cases.size(), documented,
                cases.size() - documented, crashes, parts, filesCompared, filesLost);
    }
}
