namespace Cream.Api.StockData;

/// <summary>A symbol the service pulls prices for (the first version's <c>tracked_stock</c>).</summary>
public sealed class TrackedStock
{
    public Guid Id { get; set; }
    public required string Symbol { get; set; }
    public DateTime? LastPullDate { get; set; }
    public required string LastPullStatus { get; set; }
    public string? ErrorMessage { get; set; }
    public bool IsActive { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>Who asked for a symbol to be tracked, and when (one row per user and symbol).</summary>
public sealed class TrackingRequest
{
    public Guid Id { get; set; }
    public Guid TrackedStockId { get; set; }

    /// <summary>Null once the user who asked was deleted: the request stays, without the link.</summary>
    public Guid? UserId { get; set; }
    public DateTime RequestedAt { get; set; }
}

/// <summary>The first version's <c>last_pull_status</c> values.</summary>
public static class PullStatus
{
    public const string Pending = "pending";
    public const string Success = "success";
    public const string Failed = "failed";
    public const string Disabled = "disabled";
}
