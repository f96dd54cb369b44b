namespace Cream.Api.Common;

public static class Paging
{
    /// <summary>
    /// Whether the rows before <paramref name="page"/> can be skipped at all: a page number so
    /// large that its offset overflows is refused up front rather than wrapping to a negative
    /// OFFSET (an error on PostgreSQL, page 1 on SQLite).
    /// </summary>
    public static bool OffsetFits(int page, int pageSize) => (page - 1L) * pageSize <= int.MaxValue;
}
