using System.Net;
using System.Net.Http.Json;
using Cream.Api.Audit;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Accounts;

/// <summary>Short calls and checks the account deletion tests share.</summary>
public static class DeletionApi
{
    public const string PasswordIncorrect = "Password is incorrect";
    public const string LastAdministrator = "The last administrator cannot be removed";

    /// <summary><c>DELETE /api/auth/me</c> with <c>{"password": ...}</c> as its JSON body.</summary>
    public static Task<HttpResponseMessage> DeleteMeAsync(this HttpClient client, string? password) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/api/auth/me") { Content = JsonContent.Create(new { password }) });

    public static Task<HttpResponseMessage> DeleteUserAsync(this HttpClient admin, Guid userId) =>
        admin.DeleteAsync($"/api/admin/users/{userId}");

    /// <summary>
    /// What <c>GET /api/auth/sessions</c> answers to the token: an endpoint that never reads the
    /// user's row (a deleted user's token would get 200 and an empty list), so a 401 there is the
    /// revocation state refusing the token, nothing else.
    /// </summary>
    public static async Task<HttpStatusCode> SessionsStatusAsync(this CreamApiFactory factory, string accessToken)
    {
        using var client = factory.CreateClient(accessToken);
        using var response = await client.GetAsync("/api/auth/sessions");
        return response.StatusCode;
    }

    public static Task<bool> UserExistsAsync(this CreamApiFactory factory, Guid userId) =>
        factory.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == userId));

    public static Task<List<AuthEvent>> AuditOfAsync(this CreamApiFactory factory, Guid userId) =>
        factory.WithDbAsync(db => db.AuthEvents.AsNoTracking().Where(e => e.UserId == userId).OrderBy(e => e.Id).ToListAsync());
}
