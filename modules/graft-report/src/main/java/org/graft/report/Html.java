package org.graft.report;

import java.nio.file.Path;
import java.util.Locale;

/** An HTML page being written, with escaping of everything that comes from a run's files. */
final class Html {
    private final StringBuilder sb = new StringBuilder();

    /** Appends markup as it is. */
    Html raw(String markup) {
        sb.append(markup);
        return this;
    }

    /** Appends text, escaped. */
    Html text(String s) {
        sb.append(esc(s));
        return this;
    }

    /** Appends markup made with {@link String#format} (arguments that come from files must be escaped first). */
    Html format(String format, Object... args) {
        sb.append(String.format(Locale.ROOT, format, args));
        return this;
    }

    /** A link to a local file, showing its path. */
    Html fileLink(String path) {
        return raw("<a href=\"").text(Path.of(path).toUri().toString()).raw("\">").text(path).raw("</a>");
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
