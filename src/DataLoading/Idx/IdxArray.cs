namespace Veil.DataLoading.Idx;

/// <summary>
/// One decoded IDX file: its unsigned-byte payload and dimensions (outermost first, as stored).
/// Only data type 0x08 (unsigned byte) is supported, which is all MNIST-family files use.
/// </summary>
/// <param name="Path">The file it came from, kept so later errors can name it.</param>
/// <param name="Dimensions">Sizes, outermost first (e.g. [60000, 28, 28] for images).</param>
/// <param name="Data">Row-major payload, exactly the product of <paramref name="Dimensions"/> bytes.</param>
public sealed record IdxArray(string Path, int[] Dimensions, byte[] Data)
{
    /// <summary>Number of items along the outermost dimension (images or labels).</summary>
    public int Count => Dimensions[0];
}
