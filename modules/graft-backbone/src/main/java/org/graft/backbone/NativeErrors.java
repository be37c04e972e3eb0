package org.graft.backbone;

/**
 * Telling a native library's error from a bug. JavaCPP turns a C++ exception (HDF5's "H5Aread failed" on a damaged
 * file, say) into a plain {@code java.lang.RuntimeException}; Java code that fails throws a subclass (a
 * NullPointerException, an IllegalStateException). Only the former may be reported as a damaged file.
 */
final class NativeErrors {
    private NativeErrors() {
    }

    static boolean isNative(RuntimeException e) {
        return e.getClass() == RuntimeException.class;
    }
}
