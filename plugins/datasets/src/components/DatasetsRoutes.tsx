import { Route, Routes } from 'react-router-dom';
import { DatasetPage } from './dataset/DatasetPage';
import { DatasetsPage } from './DatasetsPage';

/** The datasets area's pages under its mount path; paths match the sub-route refs. */
export function DatasetsRoutes() {
  return (
    <Routes>
      <Route path="/" element={<DatasetsPage />} />
      <Route path="/:datasetId" element={<DatasetPage />} />
    </Routes>
  );
}
