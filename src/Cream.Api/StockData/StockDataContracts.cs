namespace Cream.Api.StockData;

public sealed record TrackRequest(string? Symbol);

public sealed record TrackResponse(string Status, string Message, string Symbol);

public sealed record TrackedStockItem(
    string Symbol,
    bool IsActive,
    DateTime? LastPullDate,
    string LastPullStatus,
    string? ErrorMessage);

public sealed record TrackedStockPage(
    string Status,
    string Message,
    IReadOnlyList<TrackedStockItem> Stocks,
    int TotalCount,
    int Page,
    int PageSize,
    int TotalPages);
