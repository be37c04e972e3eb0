package org.graft.data;

import java.nio.file.Path;

/** One labelled image: its file and its class (the name of the folder it sits in). */
public record ImageEntry(Path path, String label) {
}
