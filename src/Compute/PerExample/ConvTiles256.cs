using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Veil.Compute.PerExample;

/// <summary>
/// <see cref="VectorisedConvGradients"/>'s register tiles in 256-bit vectors (AVX2 + FMA): rows j of δ_i (output channels
/// o + j, rowStride apart; positions step apart) against two column blocks b of 8 floats,
/// out[j·columns + 8b .. +8) = Σ_t δ[j·rowStride + t·step] · q_b[windows[t] .. +8). The accumulators stay in registers over the
/// whole sum and are stored once: per position two loads of the input, one broadcast per row, two FMAs per row. Their squares are
/// added to the 8 lanes at <c>squares</c>.
/// </summary>
internal static class ConvTiles256
{
    public const int Block = 8; // floats in a Vector256
    // 6 rows × 2 blocks = 12 accumulators + 2 inputs + 1 broadcast: within the 16 registers of AVX2.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Tile6(
        float* delta, int rowStride, int step, int length, float* q0, float* q1, int* windows, float* output, int columns, float* squares)
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default,
            a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        for (int t = 0; t < length; t++)
        {
            int window = windows[t];
            var x0 = Vector256.Load(q0 + window);
            var x1 = Vector256.Load(q1 + window);
            float* d = delta;
            delta += step;
            var b = Vector256.Create(d[0]);
            a00 = Fma.MultiplyAdd(b, x0, a00); a01 = Fma.MultiplyAdd(b, x1, a01);
            b = Vector256.Create(d[rowStride]);
            a10 = Fma.MultiplyAdd(b, x0, a10); a11 = Fma.MultiplyAdd(b, x1, a11);
            b = Vector256.Create(d[2 * rowStride]);
            a20 = Fma.MultiplyAdd(b, x0, a20); a21 = Fma.MultiplyAdd(b, x1, a21);
            b = Vector256.Create(d[3 * rowStride]);
            a30 = Fma.MultiplyAdd(b, x0, a30); a31 = Fma.MultiplyAdd(b, x1, a31);
            b = Vector256.Create(d[4 * rowStride]);
            a40 = Fma.MultiplyAdd(b, x0, a40); a41 = Fma.MultiplyAdd(b, x1, a41);
            b = Vector256.Create(d[5 * rowStride]);
            a50 = Fma.MultiplyAdd(b, x0, a50); a51 = Fma.MultiplyAdd(b, x1, a51);
        }
        a00.Store(output); a01.Store(output + Block); output += columns;
        a10.Store(output); a11.Store(output + Block); output += columns;
        a20.Store(output); a21.Store(output + Block); output += columns;
        a30.Store(output); a31.Store(output + Block); output += columns;
        a40.Store(output); a41.Store(output + Block); output += columns;
        a50.Store(output); a51.Store(output + Block);
        var s = Vector256.Load(squares);
        s = Fma.MultiplyAdd(a00, a00, s); s = Fma.MultiplyAdd(a01, a01, s); s = Fma.MultiplyAdd(a10, a10, s); s = Fma.MultiplyAdd(a11, a11, s);
        s = Fma.MultiplyAdd(a20, a20, s); s = Fma.MultiplyAdd(a21, a21, s); s = Fma.MultiplyAdd(a30, a30, s); s = Fma.MultiplyAdd(a31, a31, s);
        s = Fma.MultiplyAdd(a40, a40, s); s = Fma.MultiplyAdd(a41, a41, s); s = Fma.MultiplyAdd(a50, a50, s); s = Fma.MultiplyAdd(a51, a51, s);
        s.Store(squares);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Tile4(
        float* delta, int rowStride, int step, int length, float* q0, float* q1, int* windows, float* output, int columns, float* squares)
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        for (int t = 0; t < length; t++)
        {
            int window = windows[t];
            var x0 = Vector256.Load(q0 + window);
            var x1 = Vector256.Load(q1 + window);
            float* d = delta;
            delta += step;
            var b = Vector256.Create(d[0]);
            a00 = Fma.MultiplyAdd(b, x0, a00); a01 = Fma.MultiplyAdd(b, x1, a01);
            b = Vector256.Create(d[rowStride]);
            a10 = Fma.MultiplyAdd(b, x0, a10); a11 = Fma.MultiplyAdd(b, x1, a11);
            b = Vector256.Create(d[2 * rowStride]);
            a20 = Fma.MultiplyAdd(b, x0, a20); a21 = Fma.MultiplyAdd(b, x1, a21);
            b = Vector256.Create(d[3 * rowStride]);
            a30 = Fma.MultiplyAdd(b, x0, a30); a31 = Fma.MultiplyAdd(b, x1, a31);
        }
        a00.Store(output); a01.Store(output + Block); output += columns;
        a10.Store(output); a11.Store(output + Block); output += columns;
        a20.Store(output); a21.Store(output + Block); output += columns;
        a30.Store(output); a31.Store(output + Block);
        var s = Vector256.Load(squares);
        s = Fma.MultiplyAdd(a00, a00, s); s = Fma.MultiplyAdd(a01, a01, s); s = Fma.MultiplyAdd(a10, a10, s); s = Fma.MultiplyAdd(a11, a11, s);
        s = Fma.MultiplyAdd(a20, a20, s); s = Fma.MultiplyAdd(a21, a21, s); s = Fma.MultiplyAdd(a30, a30, s); s = Fma.MultiplyAdd(a31, a31, s);
        s.Store(squares);
    }

    internal static unsafe void Tile1(float* delta, int step, int length, float* q0, float* q1, int* windows, float* output, float* squares)
    {
        Vector256<float> a0 = default, a1 = default;
        for (int t = 0; t < length; t++)
        {
            int window = windows[t];
            var b = Vector256.Create(*delta);
            delta += step;
            a0 = Fma.MultiplyAdd(b, Vector256.Load(q0 + window), a0);
            a1 = Fma.MultiplyAdd(b, Vector256.Load(q1 + window), a1);
        }
        a0.Store(output); a1.Store(output + Block);
        Fma.MultiplyAdd(a1, a1, Fma.MultiplyAdd(a0, a0, Vector256.Load(squares))).Store(squares);
    }
}
