using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Veil.Compute.PerExample;

/// <summary>
/// <see cref="ConvTiles256"/>'s tiles in 512-bit vectors (AVX-512F): the same sums over blocks of 16 floats, so a pair of blocks
/// covers 32 patch columns. Same shape of tile: 6 rows × 2 blocks = 12 accumulators + 2 inputs + 1 broadcast leaves more than
/// half of AVX-512's 32 registers free. Their squares are added to the 16 lanes at <c>squares</c>.
/// </summary>
internal static class ConvTiles512
{
    public const int Block = 16; // floats in a Vector512

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Tile6(
        float* delta, int rowStride, int step, int length, float* q0, float* q1, int* windows, float* output, int columns, float* squares)
    {
        Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default,
            a30 = default, a31 = default, a40 = default, a41 = default, a50 = default, a51 = default;
        for (int t = 0; t < length; t++)
        {
            int window = windows[t];
            var x0 = Vector512.Load(q0 + window);
            var x1 = Vector512.Load(q1 + window);
            float* d = delta;
            delta += step;
            var b = Vector512.Create(d[0]);
            a00 = Avx512F.FusedMultiplyAdd(b, x0, a00); a01 = Avx512F.FusedMultiplyAdd(b, x1, a01);
            b = Vector512.Create(d[rowStride]);
            a10 = Avx512F.FusedMultiplyAdd(b, x0, a10); a11 = Avx512F.FusedMultiplyAdd(b, x1, a11);
            b = Vector512.Create(d[2 * rowStride]);
            a20 = Avx512F.FusedMultiplyAdd(b, x0, a20); a21 = Avx512F.FusedMultiplyAdd(b, x1, a21);
            b = Vector512.Create(d[3 * rowStride]);
            a30 = Avx512F.FusedMultiplyAdd(b, x0, a30); a31 = Avx512F.FusedMultiplyAdd(b, x1, a31);
            b = Vector512.Create(d[4 * rowStride]);
            a40 = Avx512F.FusedMultiplyAdd(b, x0, a40); a41 = Avx512F.FusedMultiplyAdd(b, x1, a41);
            b = Vector512.Create(d[5 * rowStride]);
            a50 = Avx512F.FusedMultiplyAdd(b, x0, a50); a51 = Avx512F.FusedMultiplyAdd(b, x1, a51);
        }
        a00.Store(output); a01.Store(output + Block); output += columns;
        a10.Store(output); a11.Store(output + Block); output += columns;
        a20.Store(output); a21.Store(output + Block); output += columns;
        a30.Store(output); a31.Store(output + Block); output += columns;
        a40.Store(output); a41.Store(output + Block); output += columns;
        a50.Store(output); a51.Store(output + Block);
        var s = Vector512.Load(squares);
        s = Avx512F.FusedMultiplyAdd(a00, a00, s); s = Avx512F.FusedMultiplyAdd(a01, a01, s);
        s = Avx512F.FusedMultiplyAdd(a10, a10, s); s = Avx512F.FusedMultiplyAdd(a11, a11, s);
        s = Avx512F.FusedMultiplyAdd(a20, a20, s); s = Avx512F.FusedMultiplyAdd(a21, a21, s);
        s = Avx512F.FusedMultiplyAdd(a30, a30, s); s = Avx512F.FusedMultiplyAdd(a31, a31, s);
        s = Avx512F.FusedMultiplyAdd(a40, a40, s); s = Avx512F.FusedMultiplyAdd(a41, a41, s);
        s = Avx512F.FusedMultiplyAdd(a50, a50, s); s = Avx512F.FusedMultiplyAdd(a51, a51, s);
        s.Store(squares);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Tile4(
        float* delta, int rowStride, int step, int length, float* q0, float* q1, int* windows, float* output, int columns, float* squares)
    {
        Vector512<float> a00 = default, a01 = default, a10 = default, a11 = default, a20 = default, a21 = default, a30 = default, a31 = default;
        for (int t = 0; t < length; t++)
        {
            int window = windows[t];
            var x0 = Vector512.Load(q0 + window);
            var x1 = Vector512.Load(q1 + window);
            float* d = delta;
            delta += step;
            var b = Vector512.Create(d[0]);
            a00 = Avx512F.FusedMultiplyAdd(b, x0, a00); a01 = Avx512F.FusedMultiplyAdd(b, x1, a01);
            b = Vector512.Create(d[rowStride]);
            a10 = Avx512F.FusedMultiplyAdd(b, x0, a10); a11 = Avx512F.FusedMultiplyAdd(b, x1, a11);
            b = Vector512.Create(d[2 * rowStride]);
            a20 = Avx512F.FusedMultiplyAdd(b, x0, a20); a21 = Avx512F.FusedMultiplyAdd(b, x1, a21);
            b = Vector512.Create(d[3 * rowStride]);
            a30 = Avx512F.FusedMultiplyAdd(b, x0, a30); a31 = Avx512F.FusedMultiplyAdd(b, x1, a31);
        }
        a00.Store(output); a01.Store(output + Block); output += columns;
        a10.Store(output); a11.Store(output + Block); output += columns;
        a20.Store(output); a21.Store(output + Block); output += columns;
        a30.Store(output); a31.Store(output + Block);
        var s = Vector512.Load(squares);
        s = Avx512F.FusedMultiplyAdd(a00, a00, s); s = Avx512F.FusedMultiplyAdd(a01, a01, s);
        s = Avx512F.FusedMultiplyAdd(a10, a10, s); s = Avx512F.FusedMultiplyAdd(a11, a11, s);
        s = Avx512F.FusedMultiplyAdd(a20, a20, s); s = Avx512F.FusedMultiplyAdd(a21, a21, s);
        s = Avx512F.FusedMultiplyAdd(a30, a30, s); s = Avx512F.FusedMultiplyAdd(a31, a31, s);
        s.Store(squares);
    }

    internal static unsafe void Tile1(float* delta, int step, int length, float* q0, float* q1, int* windows, float* output, float* squares)
    {
        Vector512<float> a0 = default, a1 = default;
        for (int t = 0; t < length; t++)
        {
            int window = windows[t];
            var b = Vector512.Create(*delta);
            delta += step;
            a0 = Avx512F.FusedMultiplyAdd(b, Vector512.Load(q0 + window), a0);
            a1 = Avx512F.FusedMultiplyAdd(b, Vector512.Load(q1 + window), a1);
        }
        a0.Store(output); a1.Store(output + Block);
        Avx512F.FusedMultiplyAdd(a1, a1, Avx512F.FusedMultiplyAdd(a0, a0, Vector512.Load(squares))).Store(squares);
    }
}
