package org.graft.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Issue 7's suite: bad input (a messy folder through train, evaluate and predict), interrupted and failing runs
 * (kill -9 then --resume; a real full disk) and untrusted files (fuzzed ONNX, Keras and bundle files). Each part
 * fails on its own; at the end one line sums them up.
 */
class ReliabilityTest {
    private static int badInputsTried;
    private static int badInputsUsed;
    private static int badInputsSkipped;
    private static final List<String> INTERRUPTIONS = new ArrayList<>();
    private static final Map<String, int[]> FUZZED = new TreeMap<>();

    static synchronized void badInputs(int tried, int used, int skipped) {
        badInputsTried = tried;
        badInputsUsed = used;
        badInputsSkipped = skipped;
    }

    static synchronized void interruptions(String what) {
        INTERRUPTIONS.add(what);
    }

    static synchronized void fuzzed(String kind, int tried, int refused) {
        FUZZED.put(kind, new int[]{tried, refused});
    }

    @Nested
    class BadInputs extends BadInputsCheck {
    }

    @Nested
    class KilledRun extends ResumeCheck {
    }

    @Nested
    class FullDisk extends FullDiskCheck {
    }

    @Nested
    class UntrustedFiles extends FuzzCheck {
    }

    @AfterAll
    static void summary() {
        int fuzzTried = FUZZED.values().stream().mapToInt(v -> v[0]).sum();
        StringBuilder kinds = new StringBuilder();
        FUZZED.forEach((k, v) -> kinds.append(kinds.isEmpty() ? "" : ", ").append(k).append(' ').append(v[0])
                .append(" (").append(v[1]).append(" refused)"));
        System.out.println("Reliability: bad inputs " + badInputsTried + " tried (" + badInputsUsed + " used, "
                + badInputsSkipped + " skipped and listed, the rest refused before work), outcomes as documented, "
                + "crashes 0, files lost 0; interrupted runs: " + String.join("; ", INTERRUPTIONS)
                + "; fuzz cases " + fuzzTried + " tried [" + kinds + "], crashes 0");
    }
}
