namespace Veil.DataLoading.PublicPrivate;

/// <summary>
/// Examples of <paramref name="PublicClasses"/> are public; the private task is the remaining classes,
/// relabelled 0..k-1 in increasing order of their original label. The test split is divided the same way.
/// </summary>
public sealed record ClassSplit(IReadOnlyList<int> PublicClasses) : PublicSplit;
