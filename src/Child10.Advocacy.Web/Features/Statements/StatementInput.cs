using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Child10.Advocacy.Web.Features.Statements;

/// <summary>Checks shared by the forms that write a version: title, body and change note.</summary>
public static class StatementInput
{
    public static string? Title(ModelStateDictionary modelState, string key, string? title)
    {
        title = title?.Trim();
        if (string.IsNullOrEmpty(title))
        {
            modelState.AddModelError(key, "Enter a title.");
        }
        else if (title.Length > StatementVersions.MaxTitleLength)
        {
            modelState.AddModelError(key, $"Keep the title to {StatementVersions.MaxTitleLength} characters (it has {title.Length}).");
        }
        return title;
    }

    public static string? Body(ModelStateDictionary modelState, string key, string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            modelState.AddModelError(key, "Write the text of the statement.");
            return body;
        }
        body = StatementText.Normalise(body);
        if (body.Length > StatementVersions.MaxBodyLength)
        {
            modelState.AddModelError(key, $"Keep the text to {StatementVersions.MaxBodyLength:N0} characters (it has {body.Length:N0}).");
        }
        return body;
    }

    public static string? ChangeNote(ModelStateDictionary modelState, string key, string? note)
    {
        note = note?.Trim();
        if (string.IsNullOrEmpty(note))
        {
            modelState.AddModelError(key, "Say what changed in this version, so signatories and colleagues can follow.");
        }
        else if (note.Length > StatementVersions.MaxNoteLength)
        {
            modelState.AddModelError(key, $"Keep the change note to {StatementVersions.MaxNoteLength} characters.");
        }
        return note;
    }
}
