using Veil.DataLoading.Sources;

namespace Veil.Actors.Library;

/// <summary>
/// A caller's source lent to one run: every read goes through, but the run's end does not dispose it, because the
/// caller still owns it (and may evaluate on it, or train again on the same examples, which the ledger then charges).
/// </summary>
internal sealed class BorrowedImageSource(IImageSource owned) : IImageSource
{
    public string Name => owned.Name;

    public string Description => owned.Description;

    public int Count => owned.Count;

    public int Classes => owned.Classes;

    public ImageShape Shape => owned.Shape;

    public string Fingerprint => owned.Fingerprint;

    public long BytesRead => owned.BytesRead;

    public int LabelOf(int index) => owned.LabelOf(index);

    public DecodedImage Decode(int index) => owned.Decode(index);

    public void Dispose() { }
}
