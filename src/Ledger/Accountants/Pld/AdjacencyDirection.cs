namespace Veil.Ledger.Accountants.Pld;

/// <summary>
/// Which side of add-or-remove-one adjacency a privacy loss distribution describes. Subsampling
/// makes the two directions genuinely different, so both are composed and the worse one is reported.
/// </summary>
public enum AdjacencyDirection
{
    /// <summary>P = output on the dataset with the record, Q = output without it.</summary>
    Remove,

    /// <summary>P = output on the dataset without the record, Q = output with it.</summary>
    Add,
}
