package org.graft.model.run;

import org.graft.common.EnvironmentException;
import org.graft.common.GraftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a claim on a run folder leaves behind when the run it guards succeeds, fails or is cut off. */
class RunClaimTest {
    @TempDir
    Path tmp;

    /** A finished run with a file of the user's beside it. */
    private RunFolder finishedRun(String name) throws IOException {
        RunFolder run = RunFolder.at(tmp.resolve(name));
        try (RunClaim claim = RunClaim.claim(run, RunClaim.Intent.NEW_RUN, "train")) {
            Files.writeString(run.file(RunFolder.MODEL), "old model");
            Files.writeString(run.file(RunFolder.SPLIT), "old split");
            Files.createDirectories(run.file(RunFolder.CHECKPOINT).getParent());
            Files.writeString(run.file(RunFolder.CHECKPOINT), "old checkpoint");
            claim.finish();
        }
        Files.writeString(run.file("notes.txt"), "the user's");
        return run;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anOverwriteThatFailsEarlyBringsTheOldRunBackWhole() throws IOException {
        RunFolder run = finishedRun("a");
        List<String> before = names(run.dir());
        RunClaim claim = RunClaim.claim(run, RunClaim.Intent.OVERWRITE, "train");
        // the new run sees none of the old one's files (a resume would otherwise load the old checkpoint)
        assertFalse(run.has(RunFolder.MODEL));
        assertFalse(run.hasCheckpoint());
        assertTrue(run.has("notes.txt"), "a file Graft did not write stays where it is");
        Files.writeString(run.file(RunFolder.SPLIT), "new split");
        Files.writeString(run.file(RunFolder.RECIPE), "new recipe");
        claim.abandon();

        assertEquals(before, names(run.dir()));
        assertEquals("old model", Files.readString(run.file(RunFolder.MODEL)));
        assertEquals("old split", Files.readString(run.file(RunFolder.SPLIT)));
        assertEquals("old checkpoint", Files.readString(run.file(RunFolder.CHECKPOINT)));
        assertEquals("the user's", Files.readString(run.file("notes.txt")));
    }

    @Test
    void anOverwriteThatFinishesDropsTheOldRun() throws IOException {
        RunFolder run = finishedRun("b");
        try (RunClaim claim = RunClaim.claim(run, RunClaim.Intent.OVERWRITE, "train")) {
            Files.writeString(run.file(RunFolder.MODEL), "new model");
            claim.finish();
        }
        assertEquals("new model", Files.readString(run.file(RunFolder.MODEL)));
        assertFalse(run.has(RunFolder.REPLACED));
        assertFalse(run.hasCheckpoint(), "the old checkpoint went with the old run");
        assertTrue(run.has("notes.txt"));
    }

    /** Killed after setting the old run aside: the next overwrite keeps that run, not the half-made one. */
    @Test
    void anOverwriteCutOffKeepsTheLastWholeRunAside() throws IOException {
        RunFolder run = finishedRun("c");
        try (RunClaim cutOff = RunClaim.claim(run, RunClaim.Intent.OVERWRITE, "train")) {
            Files.writeString(run.file(RunFolder.SPLIT), "half-made split");
        } // neither finished nor abandoned, as after kill -9
        GraftException refused = assertThrows(GraftException.class,
                () -> RunClaim.claim(run, RunClaim.Intent.NEW_RUN, "train"));
        assertTrue(refused.getMessage().contains(RunFolder.REPLACED), refused.getMessage());

        RunClaim again = RunClaim.claim(run, RunClaim.Intent.OVERWRITE, "train");
        assertFalse(run.has(RunFolder.SPLIT), "the half-made run's files are gone");
        again.abandon();
        assertEquals("old split", Files.readString(run.file(RunFolder.SPLIT)));
        assertEquals("old model", Files.readString(run.file(RunFolder.MODEL)));
    }

    @Test
    void aRunThatFailsInAFolderTheUserMadeLeavesItEmpty() throws IOException {
        Path made = Files.createDirectories(tmp.resolve("empty"));
        RunClaim claim = RunClaim.claim(RunFolder.at(made), RunClaim.Intent.NEW_RUN, "train");
        Files.writeString(made.resolve(RunFolder.SPLIT), "split");
        claim.abandon();
        assertEquals(List.of(), names(made), "no marker, lock or split left: the folder is as it was");
        // so a new run may use it without --overwrite
        RunClaim.claim(RunFolder.at(made), RunClaim.Intent.NEW_RUN, "train").close();

        Path fresh = tmp.resolve("fresh");
        RunClaim.claim(RunFolder.at(fresh), RunClaim.Intent.NEW_RUN, "train").abandon();
        assertFalse(Files.exists(fresh), "a folder the claim made goes again");
    }

    @Test
    void whatAKilledWriterLeftHalfWrittenIsClearedAndTheRestKept() throws IOException {
        RunFolder run = finishedRun("d");
        Path part = Files.writeString(run.file("." + RunFolder.HISTORY + "." + UUID.randomUUID() + ".part"), "half");
        Path dl4j = Files.writeString(run.file(RunFolder.CHECKPOINT).resolveSibling(".dl4j-4711.zip"), "half");
        Path usersDot = Files.writeString(run.file(".notes.part"), "the user's");
        Path usersDir = Files.createDirectories(run.file(".x." + UUID.randomUUID() + ".part"));
        RunClaim.claim(run, RunClaim.Intent.UPDATE, "evaluate").close();
        assertFalse(Files.exists(part));
        assertFalse(Files.exists(dl4j));
        assertTrue(Files.exists(usersDot), "only Graft's own temporary names are cleared");
        assertTrue(Files.isDirectory(usersDir), "a folder is never taken for a temporary file");
        assertEquals("old model", Files.readString(run.file(RunFolder.MODEL)));
    }

    @Test
    void aLockFileThatIsALinkIsRefusedAndItsTargetUntouched() throws IOException {
        RunFolder run = finishedRun("e");
        Path precious = Files.writeString(tmp.resolve("precious.txt"), "keep me");
        Files.deleteIfExists(run.file(RunFolder.LOCK));
        Files.createSymbolicLink(run.file(RunFolder.LOCK), precious);
        EnvironmentException e = assertThrows(EnvironmentException.class,
                () -> RunClaim.claim(run, RunClaim.Intent.UPDATE, "evaluate"));
        assertTrue(e.getMessage().contains(RunFolder.LOCK), e.getMessage());
        assertEquals("keep me", Files.readString(precious));
    }

    @Test
    void aSecondWriterIsRefusedWhileTheFirstHoldsTheFolder() throws IOException {
        RunFolder run = finishedRun("f");
        try (RunClaim first = RunClaim.claim(run, RunClaim.Intent.UPDATE, "evaluate")) {
            EnvironmentException e = assertThrows(EnvironmentException.class,
                    () -> RunClaim.claim(run, RunClaim.Intent.OVERWRITE, "train"));
            assertTrue(e.getMessage().contains("being written by another Graft"), e.getMessage());
            assertEquals("old model", Files.readString(run.file(RunFolder.MODEL)), "the refused writer moved nothing");
        }
    }
}
