namespace Veil.Ledger.Store;

/// <summary>A scope as listed by the store: its id and how many examples it holds.</summary>
public sealed record StoredScope(string Id, int Count);
