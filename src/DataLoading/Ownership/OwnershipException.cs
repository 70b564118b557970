namespace Veil.DataLoading.Ownership;

/// <summary>The data's ownership declaration cannot be used: an example without an owner, one with two, or a manifest naming what is not there.</summary>
public sealed class OwnershipException(string message) : Exception(message);
