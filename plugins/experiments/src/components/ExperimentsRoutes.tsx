import { Route, Routes } from 'react-router-dom';
import { CustomModelsPage } from './customModels/CustomModelsPage';
import { JobPage } from './job/JobPage';
import { ExperimentsPage } from './jobs/ExperimentsPage';
import { NewTrainingRunPage } from './newRun/NewTrainingRunPage';

/** The experiments area's pages under its mount path; paths match the sub-route refs. */
export function ExperimentsRoutes() {
  return (
    <Routes>
      <Route path="/" element={<ExperimentsPage />} />
      <Route path="/new" element={<NewTrainingRunPage />} />
      <Route path="/jobs/:jobId" element={<JobPage />} />
      <Route path="/custom-models" element={<CustomModelsPage />} />
    </Routes>
  );
}
