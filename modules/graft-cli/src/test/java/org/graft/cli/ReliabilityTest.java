package org.graft.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.TestInstance;

/**
 * The reliability suite: bad input (a messy folder through train, evaluate and predict), outputs that point at
 * something precious and other path mistakes (train, evaluate, predict, export, report, resume), interrupted and
 * failing runs (kill -9 and Ctrl-C, then an exact --resume; a real full disk) and untrusted files (fuzzed ONNX, Keras
 * and bundle files). Each part fails on its own; every case goes into one {@link ReliabilityLedger}, whose counts make the
 * summary line printed at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReliabilityTest {
    private final ReliabilityLedger ledger = new ReliabilityLedger();

    @Nested
    class BadInputs extends BadInputsCheck {
        @Override
        ReliabilityLedger ledger() {
            return ledger;
        }
    }

    @Nested
    class InterruptedRuns extends ResumeCheck {
        @Override
        ReliabilityLedger ledger() {
            return ledger;
        }
    }

    @Nested
    class FullDisk extends FullDiskCheck {
        @Override
        ReliabilityLedger ledger() {
            return ledger;
        }
    }

    @Nested
    class OutputsAndPaths extends OutputSafetyCheck {
        @Override
        ReliabilityLedger ledger() {
            return ledger;
        }
    }

    @Nested
    class LargeData extends LargeDataCheck {
        @Override
        ReliabilityLedger ledger() {
            return ledger;
        }
    }

    @Nested
    class UntrustedFiles extends FuzzCheck {
        @Override
        ReliabilityLedger ledger() {
            return ledger;
        }
    }

    @AfterAll
    void summary() {
        System.out.println(ledger.summary());
    }
}
