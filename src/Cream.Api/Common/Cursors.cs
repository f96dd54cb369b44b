using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;

namespace Cream.Api.Common;

/// <summary>
/// <c>?after=&amp;limit=</c> of a list that pages by cursor (keyset): <c>after</c> is the
/// <c>next</c> of the page before, <c>limit</c> 1 to <see cref="MaxLimit"/>.
/// </summary>
public sealed record CursorRequest(
    [property: FromQuery(Name = "after")] string? After = null,
    [property: FromQuery(Name = "limit")] int? Limit = null)
{
    public const int MaxLimit = PageRequest.MaxPageSize;
    public const int DefaultLimit = PageRequest.DefaultPageSize;

    /// <summary>True when the caller asked for cursor paging (either parameter given).</summary>
    public bool Requested => After is not null || Limit is not null;

    public int Take => Limit ?? DefaultLimit;

    /// <summary>Adds what is wrong with <c>limit</c>, and a mix of both paging styles, to <paramref name="errors"/>.</summary>
    public void AddErrors(IDictionary<string, string[]> errors, HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(request);
        if (Limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must be 1 to {MaxLimit}."];
        }

        if (Requested && (request.Query.ContainsKey("page") || request.Query.ContainsKey("page_size")))
        {
            errors["after"] = ["Use either page and page_size, or after and limit."];
        }
    }
}

/// <summary>
/// Cursors are the last row's position sealed with Data Protection (shared by every instance):
/// opaque, so nothing (an email key, say) shows in a URL or an access log, and a cursor that
/// was changed, cut, or issued by another list does not open (400) instead of paging wrongly.
/// </summary>
public sealed class PageCursors(IDataProtectionProvider dataProtection)
{
    /// <summary>The longest cursor read; every genuine one is far shorter.</summary>
    public const int MaxLength = 2048;

    public const string Invalid = "The cursor is not valid: pass the next value of the page before, unchanged.";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Cream.Paging.Cursor.v1");

    public string Seal(string list, byte[] position) =>
        Base64Url.EncodeToString(_protector.CreateProtector(list).Protect(position));

    /// <summary>The position a cursor of <paramref name="list"/> holds, or null when it is not one.</summary>
    public byte[]? Open(string list, string cursor)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        if (cursor.Length is 0 or > MaxLength || !Base64Url.IsValid(cursor))
        {
            return null;
        }

        try
        {
            return _protector.CreateProtector(list).Unprotect(Base64Url.DecodeFromChars(cursor));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
