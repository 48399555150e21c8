import { Route, Routes } from 'react-router-dom';
import { MonitorPage } from './monitor/MonitorPage';
import { MonitorsPage } from './monitors/MonitorsPage';

/** The drift area's pages under its mount path; paths match the sub-route refs. */
export function DriftRoutes() {
  return (
    <Routes>
      <Route path="/" element={<MonitorsPage />} />
      <Route path="/monitors/:id" element={<MonitorPage />} />
    </Routes>
  );
}
