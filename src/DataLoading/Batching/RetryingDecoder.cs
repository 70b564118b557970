namespace Veil.DataLoading.Batching;

/// <summary>
/// Decode errors that may be transient (I/O) are retried with exponential back-off; after the last
/// attempt the error goes on to the data policy (stop, naming the file). Format errors are not retried:
/// reading the same bad bytes again cannot help.
/// </summary>
public sealed class RetryingDecoder(IMicroBatchDecoder inner, int attempts = 4, int firstDelayMs = 20) : IMicroBatchDecoder
{
    public string Source => inner.Source;

    public MicroBatchData Decode(MicroBatchSpec spec)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return inner.Decode(spec);
            }
            catch (IOException) when (attempt < attempts)
            {
                Thread.Sleep(firstDelayMs << (attempt - 1));
            }
        }
    }
}
