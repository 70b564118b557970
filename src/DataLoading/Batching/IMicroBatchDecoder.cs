namespace Veil.DataLoading.Batching;

/// <summary>
/// Turns a micro-batch's indices into data. An interface so the prefetcher can be tested with
/// decoders that fail or count, and so later datasets (JPEG, augmentation) plug in unchanged.
/// Implementations must be safe to call from several decode tasks at once.
/// </summary>
public interface IMicroBatchDecoder
{
    /// <summary>Where the data comes from (file paths or generator); named when decoding fails.</summary>
    string Source { get; }

    MicroBatchData Decode(MicroBatchSpec spec);
}
