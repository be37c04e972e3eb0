package org.graft.onnx.export;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Handlers looked up by a DL4J class: an entry registered {@linkplain Builder#exact exactly} takes that class
 * only (ConvolutionLayer, but not its subclasses Deconvolution2D or SeparableConvolution2D, which compute
 * something else), one registered {@linkplain Builder#withSubclasses with subclasses} also takes its subclasses.
 * Built once, then read only.
 */
final class ClassRegistry<T, H> {
    private record Entry<H>(H handler, boolean subclasses) {
    }

    private final Map<Class<?>, Entry<H>> entries;

    private ClassRegistry(Map<Class<?>, Entry<H>> entries) {
        this.entries = Map.copyOf(entries);
    }

    /** The handler for {@code value}'s class, or for the nearest superclass registered with subclasses. */
    Optional<H> find(T value) {
        Entry<H> own = entries.get(value.getClass());
        if (own != null) {
            return Optional.of(own.handler());
        }
        for (Class<?> c = value.getClass().getSuperclass(); c != null; c = c.getSuperclass()) {
            Entry<H> e = entries.get(c);
            if (e != null && e.subclasses()) {
                return Optional.of(e.handler());
            }
        }
        return Optional.empty();
    }

    static <T, H> Builder<T, H> builder() {
        return new Builder<>();
    }

    static final class Builder<T, H> {
        private final Map<Class<?>, Entry<H>> entries = new HashMap<>();

        Builder<T, H> exact(Class<? extends T> type, H handler) {
            return put(type, new Entry<>(handler, false));
        }

        Builder<T, H> withSubclasses(Class<? extends T> type, H handler) {
            return put(type, new Entry<>(handler, true));
        }

        private Builder<T, H> put(Class<? extends T> type, Entry<H> entry) {
            if (entries.putIfAbsent(type, entry) != null) {
                throw new IllegalStateException(type.getSimpleName() + " registered twice");
            }
            return this;
        }

        ClassRegistry<T, H> build() {
            return new ClassRegistry<>(entries);
        }
    }
}
