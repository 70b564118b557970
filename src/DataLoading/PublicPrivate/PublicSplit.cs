namespace Veil.DataLoading.PublicPrivate;

/// <summary>
/// How the training split is divided into a public part (pre-training: no budget, no ledger) and a
/// private part (the only data DP training and the ledger ever see). Simulates the papers' public/private
/// setting on one dataset: <see cref="SubsetSplit"/> (same task) or <see cref="ClassSplit"/> (domain shift).
/// </summary>
public abstract record PublicSplit;
