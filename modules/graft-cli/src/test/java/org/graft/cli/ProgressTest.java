package org.graft.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Progress in a log reads as sentences: no line at 0%, one per interval, one at the end, words apart. */
class ProgressTest {
    @Test
    void plainLinesInALog() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong();
        var lines = new Progress.PlainLines(new PrintStream(bytes, true, StandardCharsets.UTF_8), "Epoch 3/10", 8,
                "batch", now::get);
        long second = 1_000_000_000L;
        for (int b = 1; b <= 8; b++) {
            now.addAndGet(3 * second);
            lines.step(1, String.format("loss %.4f", 1.0 / b));
        }
        lines.finish();
        List<String> printed = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        // 3 s a batch: a line once 10 s have passed (at 12 s), none for the last batch, then the one at the end
        assertEquals(List.of("Epoch 3/10: 4/8 batch, 0.3 batch/s, 0:12 left, loss 0.2500",
                "Epoch 3/10: 8/8 batch, 0.3 batch/s, loss 0.1250"), printed);
    }
}
