namespace Veil.DataLoading.Datasets;

/// <summary>
/// A dataset file exists but its content is not what it must be (bad gzip, wrong IDX magic,
/// truncated payload, image/label count mismatch, label out of range). The message always names
/// the file, says what is wrong and what to do, so a corrupt download never shows up later as an
/// IndexOutOfRangeException deep inside a training step.
/// </summary>
public sealed class DatasetFormatException : Exception
{
    public DatasetFormatException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
        Problem = problem;
    }

    /// <summary>The file whose content is wrong.</summary>
    public string Path { get; }

    /// <summary>What is wrong with it, without the path.</summary>
    public string Problem { get; }
}
