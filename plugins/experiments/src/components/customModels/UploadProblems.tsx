import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { problemLine, problemText, UploadRejection } from './uploadRejection';

/** Why an upload was refused, each problem of the check on its own line with its line number. */
export function UploadProblems(props: { rejection: UploadRejection }) {
  const { summary, problems } = props.rejection;
  if (problems.length === 0) {
    return (
      <Alert severity="error" style={{ marginTop: 16 }}>
        <AlertTitle>The custom model was not uploaded</AlertTitle>
        {summary}
      </Alert>
    );
  }
  return (
    <Alert severity="error" style={{ marginTop: 16 }}>
      <AlertTitle>{summary}</AlertTitle>
      <ul aria-label="problems" style={{ margin: 0, paddingLeft: 20 }}>
        {problems.map((problem, i) => {
          const line = problemLine(problem);
          return (
            <li key={i}>
              {line !== undefined && <strong>Line {line}: </strong>}
              {problemText(problem)}
            </li>
          );
        })}
      </ul>
    </Alert>
  );
}
