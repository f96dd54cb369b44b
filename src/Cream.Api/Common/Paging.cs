using Microsoft.AspNetCore.Mvc;

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

    /// <summary>The rows before this page; valid only when <see cref="AddErrors"/> found none.</summary>
    public int Offset => checked((Page - 1) * PageSize);

    public int TotalPages(int total) => (total + PageSize - 1) / PageSize;

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
