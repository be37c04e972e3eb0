package org.graft.report;

import org.graft.model.run.RunFolder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Samples of the augmented training images, so a user sees what the network was shown. */
final class AugmentationSection implements ReportSection {
    @Override
    public String id() {
        return "augmentation";
    }

    @Override
    public boolean appliesTo(RunContents run) {
        return Files.isDirectory(run.folder().file(RunFolder.AUGMENTATION));
    }

    @Override
    public void write(Html h, RunContents run) {
        List<Path> samples;
        try (var files = Files.list(run.folder().file(RunFolder.AUGMENTATION))) {
            samples = files.filter(f -> f.getFileName().toString().endsWith(".png")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> recipe = run.description().training().recipe();
        Object spec = recipe == null ? null : recipe.get("augmentation");
        h.raw("<section id=\"augmentation\"><h2>Augmentation</h2>\n<p>Training images were varied each epoch (")
                .text(String.valueOf(spec)).raw("). The first image of each row is the image as validation sees it; "
                        + "the others are random variants.</p>\n<div class=\"gallery\">\n");
        for (Path sample : samples) {
            String src = Thumbnails.of(sample).orElse(null);
            if (src != null) {
                String name = sample.getFileName().toString();
                h.raw("<figure><img src=\"").raw(src).raw("\" alt=\"").text(name).raw("\"><figcaption><small>")
                        .text(name).raw("</small></figcaption></figure>\n");
            }
        }
        h.raw("</div></section>\n");
    }
}
