package org.graft.spark;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The class path the Spark tests run on has one DL4J: 1.0.0-M2.1 like the rest of Graft, except the three
 * artefacts that exist only at 1.0.0-M2 (dl4j-spark, datavec-spark, nd4j-kryo); one Scala (2.12.15), one
 * version of every artefact, and a Jackson Scala module that matches jackson-databind.
 */
class ClasspathConsistencyTest {
    static final Set<String> SPARK_ONLY = Set.of("dl4j-spark_2.12", "datavec-spark_2.12", "nd4j-kryo_2.12");
    /** .../repository/GROUP/ARTIFACT/VERSION/ARTIFACT-VERSION[-classifier].jar */
    static final Pattern M2 = Pattern.compile(".*/repository/(.+)/([^/]+)/([^/]+)/\\2-\\3[^/]*\\.jar$");

    record Jar(String group, String artifact, String version) {
    }

    static List<Jar> classPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<Jar> jars = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            Matcher m = M2.matcher(entry.replace('\\', '/'));
            if (m.matches()) {
                jars.add(new Jar(m.group(1).replace('/', '.'), m.group(2), m.group(3)));
            }
        }
        return jars;
    }

    @Test
    void oneDl4jOneScalaOneVersionOfEach() {
        List<Jar> jars = classPath();
        assertTrue(jars.size() > 100, "read the class path: " + jars.size() + " jars");
        Map<String, Set<String>> versions = new TreeMap<>();
        for (Jar j : jars) {
            versions.computeIfAbsent(j.group() + ":" + j.artifact(), k -> new TreeSet<>()).add(j.version());
        }
        versions.forEach((artifact, v) -> assertEquals(1, v.size(), artifact + " twice: " + v));
        List<String> wrong = new ArrayList<>();
        for (Jar j : jars) {
            boolean dl4j = j.group().startsWith("org.nd4j") || j.group().startsWith("org.deeplearning4j")
                    || j.group().startsWith("org.datavec");
            String want = SPARK_ONLY.contains(j.artifact()) ? "1.0.0-M2" : "1.0.0-M2.1";
            if (dl4j && !j.version().equals(want)) {
                wrong.add(j.group() + ":" + j.artifact() + ":" + j.version());
            }
            assertFalse(j.artifact().endsWith("_2.13") || j.artifact().endsWith("_2.11"), "other Scala: " + j);
        }
        assertEquals(List.of(), wrong, "DL4J artefacts not at Graft's version");
        assertEquals(Set.of("2.12.15"), versions.get("org.scala-lang:scala-library"));
        assertEquals(Set.of("2.12.15"), versions.get("org.scala-lang:scala-reflect"));
        assertEquals(Set.of("3.12.0"), versions.get("org.apache.commons:commons-lang3"));
        assertEquals(versions.get("com.fasterxml.jackson.core:jackson-databind"),
                versions.get("com.fasterxml.jackson.module:jackson-module-scala_2.12"));
        assertEquals(Set.of("3.1.2"), versions.get("org.apache.spark:spark-core_2.12"));
        assertEquals(Set.of("1.0.0-M2"), versions.get("org.deeplearning4j:dl4j-spark_2.12"));
        assertFalse(versions.containsKey("com.esotericsoftware:kryo"), "Spark's kryo-shaded only");
    }
}
