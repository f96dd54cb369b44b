using System.Net;

namespace Cream.Api.Email;

/// <summary>The account emails: plain text and a small HTML body, with everything inserted HTML-encoded.</summary>
public static class EmailTemplates
{
    public static EmailMessage Verification(string to, string link, int validHours) => Build(
        to, "Confirm your email address",
        $"Open this link to confirm your email address for Cream API:\n\n{link}\n\nThe link works for {validHours} hours. If you did not sign up, ignore this email.");

    public static EmailMessage PasswordReset(string to, string link, int validMinutes) => Build(
        to, "Reset your password",
        $"Open this link to choose a new password for Cream API:\n\n{link}\n\nThe link works for {validMinutes} minutes and only once. If you did not ask for it, ignore this email: your password stays as it is.");

    public static EmailMessage AlreadyRegistered(string to, string resetLink) => Build(
        to, "You already have an account",
        $"Someone (perhaps you) tried to sign up for Cream API with this email address, which already has an account.\n\nIf you forgot your password, open this link to choose a new one:\n\n{resetLink}\n\nOtherwise, ignore this email.");

    private static EmailMessage Build(string to, string subject, string text)
    {
        var paragraphs = text.Split("\n\n").Select(p => $"<p>{WebUtility.HtmlEncode(p)}</p>");
        return new EmailMessage(to, subject, text, $"<!doctype html><html><body style=\"font-family:sans-serif\">{string.Concat(paragraphs)}</body></html>");
    }
}
