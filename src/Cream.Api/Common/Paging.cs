using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Common;

/// <summary>
/// <c>?page=&amp;page_size=</c> of every paged list, bound with <c>[AsParameters]</c>; one set of
/// rules and one error shape (<c>errors.page</c>, <c>errors.page_size</c>) for all of them.
/// </summary>
/// <param name="Page">From 1.</param>
/// <param name="PageSize">1 to <see cref="MaxPageSize"/>.</param>
public sealed record PageRequest(
    [property: FromQuery(Name = "page")] int Page = 1,
    [property: FromQuery(Name = "page_size")] int PageSize = PageRequest.DefaultPageSize)
{
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 50;

    /// <summary>
    /// How far page mode reaches into a list that can grow to millions (admin users, audit):
    /// pages start within its first rows, and its total is counted up to here, so no page scans
    /// or counts more than this many rows; beyond, the cursor walks (ADR 24).
    /// </summary>
    public const int Reach = 10_000;

    /// <summary>The rows before this page; valid only when <see cref="AddErrors"/> found none.</summary>
    public int Offset => checked((Page - 1) * PageSize);

    public int TotalPages(int total) => (total + PageSize - 1) / PageSize;

    /// <summary>Adds an error when the page starts beyond <see cref="Reach"/> (call after <see cref="AddErrors"/>).</summary>
    public void AddReachErrors(IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!errors.ContainsKey("page") && !errors.ContainsKey("page_size") && Offset >= Reach)
        {
            errors["page"] = [string.Create(CultureInfo.InvariantCulture, $"page mode reaches the first {Reach:N0} rows; go further with after and limit.")];
        }
    }

    /// <summary>
    /// The rows of <paramref name="query"/>, counted up to <see cref="Reach"/>: exact when fewer,
    /// otherwise <see cref="Reach"/> and not exact (one bounded scan instead of the whole table).
    /// </summary>
    public static async Task<(int Total, bool Exact)> CountWithinReachAsync<T>(IQueryable<T> query, CancellationToken cancellationToken)
    {
        var counted = await query.Take(Reach + 1).CountAsync(cancellationToken);
        return counted > Reach ? (Reach, false) : (counted, true);
    }

    /// <summary>
    /// Adds what is wrong to <paramref name="errors"/>. A page number so large that its offset
    /// overflows is refused up front rather than wrapping to a negative OFFSET (an error on
    /// PostgreSQL, page 1 on SQLite).
    /// </summary>
    public void AddErrors(IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (Page < 1)
        {
            errors["page"] = ["page must be 1 or more."];
        }

        if (PageSize is < 1 or > MaxPageSize)
        {
            errors["page_size"] = [$"page_size must be 1 to {MaxPageSize}."];
        }
        else if (Page >= 1 && (Page - 1L) * PageSize > int.MaxValue)
        {
            errors["page"] = ["page is beyond any page there can be."];
        }
    }
}
