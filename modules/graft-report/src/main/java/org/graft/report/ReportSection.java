package org.graft.report;

/**
 * One section of the run report. A new section is a class implementing this, added to {@link RunReport#SECTIONS}
 * in the order it should appear; it reads what it shows from {@link RunContents} and writes HTML with {@link Html}.
 */
interface ReportSection {
    /** The section's HTML id (the report's table of contents and tests find it by this). */
    String id();

    /** Whether the run has anything for this section (an augmentation section only for augmented runs). */
    default boolean appliesTo(RunContents run) {
        return true;
    }

    void write(Html h, RunContents run);
}
