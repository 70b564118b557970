namespace Veil.Actors.Pipeline;

/// <summary>Decoding failed for good (after the data policy's retries); the message names the file.</summary>
public sealed class DataLoadingFailedException(Exception inner) : Exception($"data loading failed: {inner.Message}", inner);
