namespace Cream.Api.StockData;

/// <summary>The first version's symbol rule: trimmed, upper-cased, 2-10 of A-Z and 0-9, a letter first.</summary>
public static class StockSymbol
{
    public const int MinLength = 2;
    public const int MaxLength = 10;

    /// <summary>Returns the normalized symbol, or null with the reason it is invalid.</summary>
    public static string? Normalize(string? input, out string? error)
    {
        var symbol = input?.Trim().ToUpperInvariant() ?? string.Empty;
        if (symbol.Length == 0)
        {
            error = "Symbol is required.";
            return null;
        }

        if (symbol.Length is < MinLength or > MaxLength)
        {
            error = $"Symbol must be {MinLength} to {MaxLength} characters.";
            return null;
        }

        if (!char.IsAsciiLetterUpper(symbol[0]) || !symbol.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
        {
            error = "Symbol must contain only letters A-Z and digits 0-9 and start with a letter.";
            return null;
        }

        error = null;
        return symbol;
    }
}
