namespace Cream.Api.Common;

/// <summary>The page arithmetic every paged endpoint shares.</summary>
public static class Paging
{
    /// <summary>
    /// Whether the rows before <paramref name="page"/> can be skipped at all: a page number so
    /// large that its offset overflows is refused up front rather than wrapping to a negative
    /// OFFSET (an error on PostgreSQL, page 1 on SQLite).
    /// </summary>
    public static bool OffsetFits(int page, int pageSize) => (page - 1L) * pageSize <= int.MaxValue;

    /// <summary>The rows before <paramref name="page"/> (from 1), for a page the caller checked with <see cref="OffsetFits"/>.</summary>
    public static int Offset(int page, int pageSize) => checked((page - 1) * pageSize);

    public static int TotalPages(int total, int pageSize) => (total + pageSize - 1) / pageSize;
}
