package org.graft.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import org.graft.common.BadOptionException;
import org.graft.common.GraftException;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which training-time image augmentations are on, and how strong each is (the {@code --augment} option).
 *
 * <p>A value of 0 turns a transform off. Augmentation only ever applies to training batches: validation and
 * prediction load images exactly as {@link Preprocessing} says. {@link ImageLoader} applies it; all random
 * choices come from the {@link java.util.Random} it is given, so a seeded run is reproducible.
 *
 * @param flip           probability of a horizontal flip (never vertical); off by default, since it mirrors
 *                       text and glyphs
 * @param rotateDegrees  rotation by up to this many degrees either way
 * @param cropMinArea    random resized crop: the crop covers this fraction of the image or more (up to all of it),
 *                       with an aspect ratio jittered between 3/4 and 4/3
 * @param colorJitter    brightness, contrast and saturation each scaled by a factor in 1 ± this
 * @param skew           perspective skew: each corner moves by up to this fraction of the width and height
 * @param blurSigma      Gaussian blur with sigma up to this, applied with probability {@link #BLUR_PROBABILITY}
 * @param jpegMinQuality JPEG re-encoding at a quality from this to 90, with probability {@link #JPEG_PROBABILITY}
 */
public record Augmentation(double flip, double rotateDegrees, double cropMinArea, double colorJitter, double skew,
                           double blurSigma, int jpegMinQuality) {

    public static final double BLUR_PROBABILITY = 0.3;
    public static final double JPEG_PROBABILITY = 0.3;
    /** JPEG quality is drawn from {@code [jpegMinQuality, max(jpegMinQuality, JPEG_MAX_QUALITY)]}. */
    public static final int JPEG_MAX_QUALITY = 90;
    public static final double MIN_ASPECT = 3.0 / 4;
    public static final double MAX_ASPECT = 4.0 / 3;

    /** No augmentation. */
    public static final Augmentation NONE = new Augmentation(0, 0, 0, 0, 0, 0, 0);

    /** Suits scans, documents and glyphs as well as photos: everything but flips, which would mirror text. */
    public static final Augmentation STANDARD = new Augmentation(0, 10, 0.6, 0.2, 0.05, 1.2, 30);

    /** {@link #STANDARD} plus a horizontal flip half of the time, for photos where left and right do not matter. */
    public static final Augmentation PHOTO = new Augmentation(0.5, 10, 0.6, 0.2, 0.05, 1.2, 30);

    /** The names a comma list may use, in the order {@link #spec()} writes them. */
    public static final List<String> NAMES = List.of("flip", "rotate", "crop", "color", "skew", "blur", "jpeg");

    public Augmentation {
        check(flip >= 0 && flip <= 1, "flip probability", flip, "0 to 1");
        check(rotateDegrees >= 0 && rotateDegrees <= 180, "rotation", rotateDegrees, "0 to 180 degrees");
        check(cropMinArea >= 0 && cropMinArea <= 1, "crop minimum area", cropMinArea, "0 to 1");
        check(colorJitter >= 0 && colorJitter < 1, "colour jitter", colorJitter, "0 to below 1");
        check(skew >= 0 && skew <= 0.25, "skew", skew, "0 to 0.25");
        check(blurSigma >= 0 && blurSigma <= 10, "blur sigma", blurSigma, "0 to 10");
        check(jpegMinQuality >= 0 && jpegMinQuality <= 100, "JPEG minimum quality", jpegMinQuality, "0 to 100");
    }

    private static void check(boolean ok, String what, double value, String range) {
        // also rejects NaN, which fails every comparison above
        if (!ok) {
            throw new IllegalArgumentException(what + " " + value + " is out of range (" + range + ")");
        }
    }

    /** Whether any transform is on. */
    public boolean isEnabled() {
        return !equals(NONE);
    }

    /** Whether the random resized crop replaces the resize-and-centre-crop. */
    public boolean cropEnabled() {
        return cropMinArea > 0;
    }

    /**
     * Parses the {@code --augment} value: {@code standard} (also what a bare {@code --augment}, i.e. null or blank,
     * means), {@code photo}, {@code none}, or a comma list of {@link #NAMES}, each optionally {@code name=value}:
     * flip=probability, rotate=degrees, crop=minimum area fraction, color=jitter amount, skew=fraction of the size,
     * blur=maximum sigma, jpeg=minimum quality. E.g. {@code rotate=5,crop=0.8,blur}.
     *
     * @throws GraftException for an unknown name or a bad value
     */
    @JsonCreator
    public static Augmentation parse(String spec) {
        String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "", "standard" -> {
                return STANDARD;
            }
            case "photo" -> {
                return PHOTO;
            }
            case "none" -> {
                return NONE;
            }
            default -> {
            }
        }
        double flip = 0;
        double rotate = 0;
        double crop = 0;
        double color = 0;
        double skew = 0;
        double blur = 0;
        int jpeg = 0;
        Set<String> seen = new HashSet<>();
        for (String item : s.split(",", -1)) {
            String[] kv = item.split("=", 2);
            String name = kv[0].trim();
            if (name.equals("colour")) {
                name = "color";
            }
            String value = kv.length > 1 ? kv[1].trim() : null;
            if (!NAMES.contains(name)) {
                throw new BadOptionException((name.isEmpty() ? "An empty item" : "Unknown augmentation '" + name + "'")
                        + " in --augment "
                        + spec.trim(), "Use standard, photo, none, or a comma list of " + String.join(", ", NAMES)
                        + " (each optionally name=value), e.g. --augment rotate=5,crop=0.8,blur");
            }
            if (!seen.add(name)) {
                throw new BadOptionException("Augmentation '" + name + "' is given twice in --augment " + spec.trim(),
                        "Give each of " + String.join(", ", NAMES) + " at most once.");
            }
            switch (name) {
                case "flip" -> flip = number(name, value, 0.5, 1, false, "a probability");
                case "rotate" -> rotate = number(name, value, 10, 180, false, "the maximum angle in degrees");
                case "crop" -> crop = number(name, value, 0.6, 1, false, "the minimum fraction of the image kept");
                case "color" -> color = number(name, value, 0.2, 1, true, "the jitter amount");
                case "skew" -> skew = number(name, value, 0.05, 0.25, false, "a fraction of the image size");
                case "blur" -> blur = number(name, value, 1.2, 10, false, "the maximum Gaussian sigma");
                case "jpeg" -> {
                    double q = number(name, value, 30, 100, false, "the minimum JPEG quality");
                    if (q != Math.rint(q)) {
                        throw new BadOptionException("jpeg=" + value + " in --augment is not a whole number",
                                "Give the minimum JPEG quality as a whole number from 1 to 100, e.g. jpeg=30.");
                    }
                    jpeg = (int) q;
                }
                default -> throw new IllegalStateException(name);
            }
        }
        return new Augmentation(flip, rotate, crop, color, skew, blur, jpeg);
    }

    /** The value of {@code name=value} (above 0, at most {@code max}), or the default when only the name is given. */
    private static double number(String name, String value, double dflt, double max, boolean maxExclusive,
                                 String meaning) {
        if (value == null) {
            return dflt;
        }
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        // 0 would silently turn the transform off (leave the name out instead); NaN fails every comparison
        if (!(v > 0 && (v < max || (!maxExclusive && v == max)))) {
            throw new BadOptionException("Bad value in --augment: " + name + "=" + value,
                    "The value of " + name + " is " + meaning + ", above 0 and "
                            + (maxExclusive ? "below " : "at most ") + fmt(max) + ", e.g. " + name + "="
                            + fmt(dflt) + ".");
        }
        return v;
    }

    /** A string that {@link #parse} turns back into this augmentation: a preset name or a comma list. */
    @JsonValue
    public String spec() {
        if (equals(NONE)) {
            return "none";
        }
        if (equals(STANDARD)) {
            return "standard";
        }
        if (equals(PHOTO)) {
            return "photo";
        }
        List<String> items = new ArrayList<>();
        item(items, "flip", flip, 0.5);
        item(items, "rotate", rotateDegrees, 10);
        item(items, "crop", cropMinArea, 0.6);
        item(items, "color", colorJitter, 0.2);
        item(items, "skew", skew, 0.05);
        item(items, "blur", blurSigma, 1.2);
        item(items, "jpeg", jpegMinQuality, 30);
        return String.join(",", items);
    }

    private static void item(List<String> items, String name, double value, double dflt) {
        if (value > 0) {
            items.add(value == dflt ? name : name + "=" + fmt(value));
        }
    }

    /** The shortest decimal that parses back to the same double (no exponent, no trailing zeros). */
    private static String fmt(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** One line for reports, e.g. "random resized crop (area 0.60-1.00, aspect 3/4-4/3), rotation ±10°, ...". */
    public String describe() {
        if (!isEnabled()) {
            return "none";
        }
        List<String> parts = new ArrayList<>();
        if (cropMinArea > 0) {
            parts.add(String.format(Locale.ROOT, "random resized crop (area %.2f-1.00, aspect 3/4-4/3)", cropMinArea));
        }
        if (flip > 0) {
            parts.add("horizontal flip (p=" + fmt(flip) + ")");
        }
        if (rotateDegrees > 0) {
            parts.add("rotation ±" + fmt(rotateDegrees) + "°");
        }
        if (skew > 0) {
            parts.add("perspective skew up to " + fmt(Math.round(skew * 1000) / 10.0) + "%");
        }
        if (colorJitter > 0) {
            parts.add("brightness/contrast/saturation jitter ±" + fmt(colorJitter));
        }
        if (blurSigma > 0) {
            parts.add("Gaussian blur (sigma up to " + fmt(blurSigma) + ", p=" + fmt(BLUR_PROBABILITY) + ")");
        }
        if (jpegMinQuality > 0) {
            parts.add("JPEG re-encoding (quality " + jpegMinQuality + "-" + Math.max(jpegMinQuality, JPEG_MAX_QUALITY)
                    + ", p=" + fmt(JPEG_PROBABILITY) + ")");
        }
        return String.join(", ", parts);
    }

    @Override
    public String toString() {
        return spec();
    }
}
