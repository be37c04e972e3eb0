package org.graft.onnx.imports;

import onnx.Onnx;
import org.graft.common.DamagedFileException;
import org.graft.common.GraftException;
import org.graft.common.UnsupportedModelException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Turns ONNX tensors (weights, constants) into ND4J arrays: floating point types become FLOAT arrays, integer
 * types LONG arrays. Every declared shape is checked against the bytes actually present before anything is
 * allocated, so a damaged or hostile file cannot make Graft allocate gigabytes for a tensor it does not hold.
 */
final class OnnxTensors {
    // ONNX TensorProto.DataType numbers
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int INT32 = 6;
    static final int INT64 = 7;
    static final int BOOL = 9;
    static final int FLOAT16 = 10;
    static final int DOUBLE = 11;
    /** The highest data type number ONNX defines (FLOAT4E2M1, IR 11); anything above is damage. */
    private static final int LAST_KNOWN_TYPE = 23;

    private OnnxTensors() {
    }

    static INDArray toArray(Onnx.TensorProto t, String where) {
        if (t.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new UnsupportedModelException("Tensor '" + t.getName() + "' in " + where + " keeps its data in a "
                    + "separate file (ONNX external data), which Graft does not read.",
                    "Export the model as one file: onnx.save(model, 'model.onnx', save_as_external_data=False).");
        }
        long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
        long n = elementCount(dims, t, where);
        int type = t.getDataType();
        ByteString raw = t.getRawData();
        if (!raw.isEmpty()) {
            int size = elementSize(type, t, where);
            if (raw.size() != n * size) {
                throw malformed(t, where, "declares shape " + Arrays.toString(dims) + " (" + n + " values) but holds "
                        + raw.size() + " bytes");
            }
            ByteBuffer bytes = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            return switch (type) {
                case FLOAT -> {
                    float[] v = new float[(int) n];
                    bytes.asFloatBuffer().get(v);
                    yield floats(v, dims);
                }
                case DOUBLE -> {
                    double[] v = new double[(int) n];
                    bytes.asDoubleBuffer().get(v);
                    yield floats(toFloats(v), dims);
                }
                case INT64 -> {
                    long[] v = new long[(int) n];
                    bytes.asLongBuffer().get(v);
                    yield longs(v, dims);
                }
                case INT32 -> {
                    int[] v = new int[(int) n];
                    bytes.asIntBuffer().get(v);
                    yield longs(Arrays.stream(v).asLongStream().toArray(), dims);
                }
                case INT8, UINT8, BOOL -> {
                    long[] v = new long[(int) n];
                    for (int i = 0; i < n; i++) {
                        v[i] = type == INT8 ? bytes.get(i) : Byte.toUnsignedLong(bytes.get(i));
                    }
                    yield longs(v, dims);
                }
                default -> throw unsupportedType(t, where);
            };
        }
        return switch (type) {
            case FLOAT -> {
                checkCount(t.getFloatDataCount(), n, t, where);
                float[] v = new float[(int) n];
                for (int i = 0; i < n; i++) {
                    v[i] = t.getFloatData(i);
                }
                yield floats(v, dims);
            }
            case DOUBLE -> {
                checkCount(t.getDoubleDataCount(), n, t, where);
                double[] v = new double[(int) n];
                for (int i = 0; i < n; i++) {
                    v[i] = t.getDoubleData(i);
                }
                yield floats(toFloats(v), dims);
            }
            case INT64 -> {
                checkCount(t.getInt64DataCount(), n, t, where);
                long[] v = new long[(int) n];
                for (int i = 0; i < n; i++) {
                    v[i] = t.getInt64Data(i);
                }
                yield longs(v, dims);
            }
            case INT32, INT8, UINT8, BOOL -> {
                checkCount(t.getInt32DataCount(), n, t, where);
                long[] v = new long[(int) n];
                for (int i = 0; i < n; i++) {
                    v[i] = t.getInt32Data(i);
                }
                yield longs(v, dims);
            }
            default -> throw unsupportedType(t, where);
        };
    }

    private static long elementCount(long[] dims, Onnx.TensorProto t, String where) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw malformed(t, where, "has a negative dimension in " + Arrays.toString(dims));
            }
            // a tensor's values must fit one Java array; also stops overflow in the product
            if (d != 0 && n > Integer.MAX_VALUE / d) {
                throw malformed(t, where, "declares an impossible shape " + Arrays.toString(dims));
            }
            n *= d;
        }
        return n;
    }

    private static int elementSize(int type, Onnx.TensorProto t, String where) {
        return switch (type) {
            case FLOAT, INT32 -> 4;
            case DOUBLE, INT64 -> 8;
            case INT8, UINT8, BOOL -> 1;
            default -> throw unsupportedType(t, where);
        };
    }

    private static void checkCount(int present, long declared, Onnx.TensorProto t, String where) {
        if (present != declared) {
            throw malformed(t, where, "declares " + declared + " values but holds " + present);
        }
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static INDArray floats(float[] v, long[] dims) {
        return dims.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.create(v, dims, 'c');
    }

    private static INDArray longs(long[] v, long[] dims) {
        return dims.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.createFromArray(v).reshape(dims).castTo(DataType.LONG);
    }

    private static DamagedFileException malformed(Onnx.TensorProto t, String where, String what) {
        return new DamagedFileException("Tensor '" + t.getName() + "' in " + where + " " + what
                + ": the ONNX file is damaged or was not written by a conforming exporter.",
                "Export the model again (e.g. torch.onnx.export) and check the copy is complete.");
    }

    private static GraftException unsupportedType(Onnx.TensorProto t, String where) {
        if (t.getDataType() < 1 || t.getDataType() > LAST_KNOWN_TYPE) {
            return malformed(t, where, "has data type " + t.getDataType() + ", which ONNX does not define");
        }
        return new UnsupportedModelException("Tensor '" + t.getName() + "' in " + where + " has ONNX data type "
                + t.getDataType() + "; Graft reads float32, float64 and integer tensors.",
                "Export the model in float32 (e.g. model.float() before torch.onnx.export).");
    }
}
