package org.graft.backbone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.graft.common.Artifact;
import org.graft.common.BadOptionException;
import org.graft.common.Json;
import org.graft.data.Preprocessing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The backbones Graft knows by name, read from {@code models/registry.json} (packaged in this jar). */
public final class BackboneRegistry {
    private final Map<String, BackboneSpec> specs;
    private final String defaultName;

    private BackboneRegistry(Map<String, BackboneSpec> specs, String defaultName) {
        this.specs = specs;
        this.defaultName = defaultName;
    }

    /** The registry shipped with Graft. */
    public static BackboneRegistry builtIn() {
        try (InputStream in = BackboneRegistry.class.getResourceAsStream("registry.json")) {
            if (in == null) {
                throw new IllegalStateException("registry.json is missing from the graft-backbone jar");
            }
            return parse(Json.mapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BackboneRegistry parse(JsonNode root) throws IOException {
        ObjectMapper mapper = Json.mapper();
        Map<String, BackboneSpec> specs = new LinkedHashMap<>();
        for (JsonNode b : root.get("backbones")) {
            JsonNode f = b.get("file");
            List<String> mirrors = new ArrayList<>();
            f.path("mirrorPaths").forEach(m -> mirrors.add(m.asText()));
            String checksum = f.hasNonNull("sha256") ? f.get("sha256").asText()
                    : f.hasNonNull("md5") ? f.get("md5").asText() : null;
            Artifact artifact = new Artifact(f.get("fileName").asText(), f.get("url").asText(), checksum, mirrors);
            Preprocessing pre = mapper.treeToValue(b.get("preprocessing"), Preprocessing.class);
            specs.put(b.get("name").asText(), new BackboneSpec(b.get("name").asText(),
                    b.path("description").asText(""), b.get("format").asText(),
                    b.hasNonNull("architecture") ? b.get("architecture").asText() : null, artifact,
                    b.hasNonNull("featureLayer") ? b.get("featureLayer").asText() : null, pre,
                    b.path("license").asText("")));
        }
        return new BackboneRegistry(specs, root.get("default").asText());
    }

    public BackboneSpec get(String name) {
        BackboneSpec spec = specs.get(name);
        if (spec == null) {
            throw new BadOptionException("Unknown backbone '" + name + "'.",
                    "Known backbones: " + String.join(", ", specs.keySet())
                            + "; or give the path of a Keras .h5 model file.");
        }
        return spec;
    }

    public boolean contains(String name) {
        return specs.containsKey(name);
    }

    public String defaultName() {
        return defaultName;
    }

    public List<BackboneSpec> all() {
        return List.copyOf(specs.values());
    }
}
