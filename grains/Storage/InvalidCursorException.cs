namespace Upflow.Orleans.Storage;

/// <summary>A list cursor that this list did not hand out (malformed, or from another list). The API answers 400.</summary>
public sealed class InvalidCursorException(string message) : Exception(message);
