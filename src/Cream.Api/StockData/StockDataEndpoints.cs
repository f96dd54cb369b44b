using System.Security.Claims;
using Cream.Api.Auth;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.StockData;

public static class StockDataEndpoints
{
    public static IEndpointRouteBuilder MapStockData(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/stock-data").WithTags("Stock data");

        group.MapPost("/track", Track)
            .WithSummary("Ask the service to track a symbol")
            .RequireAuthorization();

        group.MapGet("/track", List)
            .WithSummary("Tracked symbols, one page at a time (admin)")
            .RequireAuthorization(AuthPolicies.Admin);

        group.MapDelete("/tracked/{symbol}", Deactivate)
            .WithSummary("Stop tracking a symbol; the record is kept (admin)")
            .RequireAuthorization(AuthPolicies.Admin);

        return routes;
    }

    private static async Task<Results<Ok<TrackResponse>, ProblemHttpResult>> Track(
        TrackRequest request, ClaimsPrincipal principal, CreamDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var symbol = StockSymbol.Normalize(request.Symbol, out var error);
        if (symbol is null)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["symbol"] = [error!] });
        }

        var userId = principal.GetUserId();
        var now = time.GetUtcNow().UtcDateTime;
        var stockId = await EnsureTrackedAsync(db, symbol, now, cancellationToken);
        await RecordRequestAsync(db, stockId, userId, now, cancellationToken);
        return TypedResults.Ok(new TrackResponse("tracking", $"Stock {symbol} is now being tracked", symbol));
    }

    /// <summary>Creates the symbol's row or re-activates it; two concurrent first requests both succeed.</summary>
    private static async Task<Guid> EnsureTrackedAsync(CreamDbContext db, string symbol, DateTime now, CancellationToken cancellationToken)
    {
        await db.TrackedStocks
            .Where(s => s.Symbol == symbol && !s.IsActive)
            .ExecuteUpdateAsync(set => set
                .SetProperty(s => s.IsActive, true)
                .SetProperty(s => s.LastPullStatus, PullStatus.Pending)
                .SetProperty(s => s.ErrorMessage, (string?)null), cancellationToken);

        var existing = await db.TrackedStocks.Where(s => s.Symbol == symbol).Select(s => (Guid?)s.Id).FirstOrDefaultAsync(cancellationToken);
        if (existing is { } id)
        {
            return id;
        }

        var stock = new TrackedStock
        {
            Id = Guid.CreateVersion7(),
            Symbol = symbol,
            LastPullStatus = PullStatus.Pending,
            IsActive = true,
            CreatedAt = now,
        };
        db.TrackedStocks.Add(stock);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return stock.Id;
        }
        catch (DbUpdateException exception) when (DbErrors.IsUniqueViolation(exception))
        {
            db.ChangeTracker.Clear();
            return await db.TrackedStocks.Where(s => s.Symbol == symbol).Select(s => s.Id).FirstAsync(cancellationToken);
        }
    }

    private static async Task RecordRequestAsync(CreamDbContext db, Guid stockId, Guid userId, DateTime now, CancellationToken cancellationToken)
    {
        if (await db.TrackingRequests.AnyAsync(r => r.TrackedStockId == stockId && r.UserId == userId, cancellationToken))
        {
            return;
        }

        db.TrackingRequests.Add(new TrackingRequest { Id = Guid.CreateVersion7(), TrackedStockId = stockId, UserId = userId, RequestedAt = now });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DbErrors.IsUniqueViolation(exception))
        {
            db.ChangeTracker.Clear(); // the same user asked twice at once: one row is enough
        }
    }

    private static async Task<Results<Ok<TrackedStockPage>, ProblemHttpResult>> List(
        [AsParameters] PageRequest paging, CreamDbContext db, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        paging.AddErrors(errors);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var total = await db.TrackedStocks.CountAsync(cancellationToken);
        var stocks = await db.TrackedStocks.AsNoTracking()
            .OrderBy(s => s.Symbol)
            .Skip(paging.Offset)
            .Take(paging.PageSize)
            .Select(s => new TrackedStockItem(s.Symbol, s.IsActive, s.LastPullDate, s.LastPullStatus, s.ErrorMessage))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new TrackedStockPage(
            "success", $"Retrieved {stocks.Count} tracked stocks", stocks, total, paging.Page, paging.PageSize, paging.TotalPages(total)));
    }

    private static async Task<Results<Ok<TrackResponse>, ProblemHttpResult>> Deactivate(
        string symbol, CreamDbContext db, CancellationToken cancellationToken)
    {
        var normalized = StockSymbol.Normalize(symbol, out var error);
        if (normalized is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, error!);
        }

        var updated = await db.TrackedStocks
            .Where(s => s.Symbol == normalized)
            .ExecuteUpdateAsync(set => set
                .SetProperty(s => s.IsActive, false)
                .SetProperty(s => s.LastPullStatus, PullStatus.Disabled)
                .SetProperty(s => s.ErrorMessage, "Tracking deactivated by admin"), cancellationToken);
        return updated == 0
            ? Problems.Create(StatusCodes.Status404NotFound, $"Stock {normalized} is not being tracked")
            : TypedResults.Ok(new TrackResponse("deactivated", $"Stock {normalized} tracking has been deactivated", normalized));
    }
}
