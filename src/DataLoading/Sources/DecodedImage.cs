namespace Veil.DataLoading.Sources;

/// <summary>
/// One example as a source hands it out: bytes in channel, row, column order (the layout of
/// <see cref="Datasets.ImageDataset"/>), its shape (which for image files may differ from the
/// source's nominal shape until a resize/crop makes them equal), and its class.
/// The pixels may be a view into the source's own memory: read them, never write them.
/// </summary>
public sealed record DecodedImage(ImageShape Shape, ReadOnlyMemory<byte> Pixels, int Label);
