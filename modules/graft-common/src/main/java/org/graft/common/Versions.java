package org.graft.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** The versions that made a model: recorded in every bundle so that a result can be traced and reproduced. */
public final class Versions {
    private Versions() {
    }

    public static Map<String, String> current() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // fall through with what we have; versions are informative only
        }
        Map<String, String> v = new LinkedHashMap<>();
        v.put("graft", p.getProperty("graft.version", "unknown"));
        v.put("deeplearning4j", p.getProperty("dl4j.version", "unknown"));
        v.put("java", System.getProperty("java.version"));
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return v;
    }
}
