namespace Veil.DataLoading.Datasets;

/// <summary>
/// The dataset's files are in none of the places searched. The message lists every directory that
/// was searched and the two ways to fix it, because "file not found" alone sends people guessing.
/// </summary>
public sealed class DatasetNotFoundException : Exception
{
    public DatasetNotFoundException(string message, IReadOnlyList<string> searched) : base(message)
    {
        Searched = searched;
    }

    /// <summary>The directories looked in, in the order they were tried.</summary>
    public IReadOnlyList<string> Searched { get; }
}
