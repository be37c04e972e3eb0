package org.graft.data;

/**
 * Where the centre crop of an image comes from, with memory bounded: the shorter side resized to the
 * preprocessing's size and the centre cut out, as always, unless that resized image would exceed
 * {@link #FAR_LARGER} times the crop's area (a 2x100000 strip resized to 224 would be 224x11,200,000, 7.5 GB);
 * then only the source region under the crop (plus a margin for the interpolation kernel) is resized, at the same
 * scale, so the result is the same crop and the memory that of a few crops.
 *
 * @param x         the source region to resize: left, top, width, height (the whole image in the ordinary case)
 * @param resizedW  the region's size after resizing
 * @param cropX     where the crop starts in the resized region
 */
record CropPlan(int x, int y, int width, int height, int resizedW, int resizedH, int cropX, int cropY) {
    /**
     * How many times the crop's area the resized image may have before the region is cut out first: photos and
     * page scans never come near (a 224-pixel crop allows a 64:1 strip), so they resize exactly as they always did.
     */
    static final int FAR_LARGER = 64;

    long resizedPixels() {
        return (long) resizedW * resizedH;
    }

    /** The plan for a {@code w} x {@code h} image, resized so that its shorter side is {@code target}. */
    static CropPlan of(int w, int h, int target, int cropW, int cropH) {
        double s = (double) target / Math.min(w, h);
        int nw = w < h ? target : Math.max(target, (int) Math.round(w * s));
        int nh = w < h ? Math.max(target, (int) Math.round(h * s)) : target;
        int x0 = (nw - cropW) / 2;
        int y0 = (nh - cropH) / 2;
        if ((long) nw * nh <= (long) FAR_LARGER * cropW * cropH) {
            return new CropPlan(0, 0, w, h, nw, nh, x0, y0);
        }
        double sx = (double) nw / w;
        double sy = (double) nh / h;
        int[] xs = window(x0, cropW, sx, w);
        int[] ys = window(y0, cropH, sy, h);
        int rw = Math.max(cropW, (int) Math.round((xs[1] - xs[0]) * sx));
        int rh = Math.max(cropH, (int) Math.round((ys[1] - ys[0]) * sy));
        int cx = Math.min(rw - cropW, Math.max(0, (int) Math.round(x0 - xs[0] * sx)));
        int cy = Math.min(rh - cropH, Math.max(0, (int) Math.round(y0 - ys[0] * sy)));
        return new CropPlan(xs[0], ys[0], xs[1] - xs[0], ys[1] - ys[0], rw, rh, cx, cy);
    }

    /**
     * [from, to) in source pixels under [offset, offset + size) of the image resized by {@code scale}, with a
     * margin for the interpolation kernel (wider where it shrinks).
     */
    private static int[] window(int offset, int size, double scale, int sourceSize) {
        int margin = (int) Math.ceil(2 / Math.min(scale, 1.0)) + 2;
        int from = Math.max(0, (int) Math.floor(offset / scale) - margin);
        int to = Math.min(sourceSize, (int) Math.ceil((offset + size) / scale) + margin);
        return new int[]{Math.min(from, sourceSize - 1), Math.max(Math.min(from, sourceSize - 1) + 1, to)};
    }
}
