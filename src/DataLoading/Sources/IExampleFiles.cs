namespace Veil.DataLoading.Sources;

/// <summary>A source whose examples are files: what an ownership manifest may name them by.</summary>
public interface IExampleFiles
{
    int Count { get; }

    /// <summary>Example <paramref name="index"/>'s path relative to the source's root, with '/' between folders.</summary>
    string RelativePathOf(int index);

    /// <summary>Lower-case hex SHA-256 of example <paramref name="index"/>'s file bytes (what `sha256sum` prints).</summary>
    string Sha256Of(int index);
}
